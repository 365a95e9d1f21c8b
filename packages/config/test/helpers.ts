import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { ConfigError } from '../src/index.js';
import type { ConfigProblem } from '../src/types.js';

const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary config root holding the given files (path relative to the root → content). */
export function makeTree(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-cfg-'));
  dirs.push(dir);
  writeTree(dir, files);
  return dir;
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
}

/** The problems a loader throws (fails the test when it does not throw a ConfigError). */
export function problemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** The ConfigError a loader throws. */
export function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

/** Problems reduced to "file-basename path: message" for readable assertions. */
export function brief(problems: readonly ConfigProblem[], root = ''): string[] {
  return problems.map((p) => `${root ? p.file.slice(root.length + 1) : p.file} ${p.path}: ${p.message}`);
}
