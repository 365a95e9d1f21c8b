import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a path is a directory, following symlinks (queries/ and emails/ may be links). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The *.yaml files of a directory, sorted, skipping hidden files (editor swap and backup files). */
export function yamlFiles(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => !isDirectory(path));
}
