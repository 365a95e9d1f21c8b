import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { dependOn } from './file-source.js';
import type { Section } from './schema.js';

/** A config path made absolute against the config root (absolute paths are kept as they are). */
export function resolveAgainst(dir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}

/**
 * The value of a secret given either as `<name>_file` (a file read now, trailing newlines trimmed) or inline as
 * `<name>`. A missing or unreadable file is reported with the key and the path; the value never is.
 */
export function readSecret(
  section: Section,
  dir: string,
  name: string,
  opts: { required?: boolean } = {},
): string | undefined {
  const fileKey = `${name}_file`;
  if (section.has(fileKey) && section.has(name)) {
    section.report.add(section.at(name), `set only one of ${fileKey} and ${name}`);
    return undefined;
  }
  if (section.has(name)) return section.string(name);
  const file = section.string(fileKey);
  if (file === undefined) {
    if (opts.required && !section.has(fileKey))
      section.report.add(section.at(fileKey), `is required (or ${name})`);
    return undefined;
  }
  if (file === '') {
    section.report.add(section.at(fileKey), 'must not be empty');
    return undefined;
  }
  const path = resolveAgainst(dir, file);
  dependOn(path);
  try {
    return readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    section.report.add(section.at(fileKey), `cannot read secret file ${path} (${code})`);
    return undefined;
  }
}
