// Temporary config roots and log directories for the sogoms-logs tests, and readers for what was written.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@sogoms/runtime';
import { afterEach } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const silentLogger = createLogger('sogoms-logs-test', { level: 'silent' });

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A short temporary directory (socket paths must stay under ~100 bytes), removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-'));
  dirs.push(dir);
  return dir;
}

/** A config root with one routes/{app}.yaml per app, each with the given logs.retention_days. */
export function writeConfig(apps: Record<string, number | undefined> = { prokov: undefined }): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'routes'));
  for (const [app, retention] of Object.entries(apps)) {
    const logs = retention === undefined ? '' : `logs:\n  retention_days: ${retention}\n`;
    writeFileSync(
      join(dir, 'routes', `${app}.yaml`),
      `app: ${app}\nhosts: [${app}.test]\ndatabase:\n  driver: sqlite\n  file: ${app}.db\n` +
        `auth:\n  jwt_secret: test-secret-${app}\n${logs}`,
    );
  }
  return dir;
}

/** Every line of a log file parsed as JSON; fails on a line that is not a whole JSON object. */
export function readLines(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${path} does not end with a newline`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${path}:${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
    });
}

/** The files a process holds open, from /proc (Linux): a renamed file shows its new path. */
export function openPaths(pid: number): string[] {
  const fdDir = `/proc/${pid}/fd`;
  return readdirSync(fdDir).flatMap((fd) => {
    try {
      return [readlinkSync(join(fdDir, fd))];
    } catch {
      return []; // closed meanwhile
    }
  });
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

export { ensureBuilt } from '../../../tests/helpers/build.js';
