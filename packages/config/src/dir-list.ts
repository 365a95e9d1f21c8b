import { join } from 'node:path';
import { fileSource } from './file-source.js';

/** Whether a path is a directory, following symlinks (queries/ and emails/ may be links). */
export function isDirectory(path: string): boolean {
  return fileSource().isDirectory(path);
}

/** The *.yaml files of a directory, sorted, skipping hidden files (editor swap and backup files). */
export function yamlFiles(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return fileSource()
    .list(dir)
    .filter((name) => name.endsWith('.yaml') && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => !isDirectory(path));
}

/**
 * Names in a config folder that the loader does not read although they look meant to be read: `notes.yml`,
 * `projects.yaml.bak`, `README`. Hidden files and `name~` backups (editors' own files) are left out.
 */
export function ignoredFiles(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return fileSource()
    .list(dir)
    .filter((name) => !name.endsWith('.yaml') && !name.startsWith('.') && !name.endsWith('~'))
    .filter((name) => !/^\d+$/.test(name)) // vim's write test file ("4913"), there for an instant
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => !isDirectory(path));
}
