// The built binary as sogoctl runs it: `bin/sogoms-db -config DIR -socket PATH`, health and a query over the
// socket, SIGTERM → exit 0 with the socket removed; `--version`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt as buildIfStale } from '../../../tests/helpers/build.js';
import { createSqliteFile, ROOT, sqliteDatabase, tempDir, writeRoutes } from './helpers.js';

const BINARY = join(ROOT, 'bin', 'sogoms-db');

/** Builds the binaries when bin/sogoms-db is missing or stale (`pnpm test` builds first). */
function ensureBuilt(): void {
  buildIfStale('sogoms-db');
}

async function until(probe: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bin/sogoms-db', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('--version prints the VERSION file content', () => {
    const r = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const version = readFileSync(join(ROOT, 'VERSION'), 'utf8').trim();
    expect(r.stdout).toMatch(new RegExp(`^sogoms-db ${version.replace(/\./g, '\\.')} \\(built .+\\)\\n$`));
  });

  it('serves health and queries on its socket, and exits 0 on SIGTERM removing the socket', async () => {
    const file = join(dir, 'test.db');
    createSqliteFile(file);
    writeRoutes(dir, { test: sqliteDatabase('test.db') }); // relative: resolved against -config DIR
    const socket = join(dir, 'sogoms-db.1.sock');
    const proc = spawn(BINARY, ['-config', dir, '-socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

    await until(
      async () => existsSync(socket) && (await callOnce(socket, 'health', {}, 1_000)) !== undefined,
      'health answers',
    );
    const health = (await callOnce(socket, 'health')) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      service: 'sogoms-db',
      pid: proc.pid,
      apps: { test: { driver: 'sqlite', status: 'ok' } },
    });
    expect(
      await callOnce(socket, 'insert', {
        app_id: 'test',
        query: 'INSERT INTO users (email, password, name) VALUES (?, ?, ?)',
        args: ['bin@example.com', 'h', 'Bin'],
      }),
    ).toEqual({ insert_id: 1, affected_rows: 1 });
    expect(await callOnce(socket, 'query', { app_id: 'test', query: 'SELECT id, name FROM users' })).toEqual([
      { id: 1, name: 'Bin' },
    ]);

    proc.kill('SIGTERM');
    expect(await exited, output).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(output).toContain('sogoms-db stopped');
  });
});
