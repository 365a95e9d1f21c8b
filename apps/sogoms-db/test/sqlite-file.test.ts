// Issue 11: the SQLite file missing at start, deleted or replaced under the running service, and its -wal
// deleted alone. A missing file is the database down (never an empty file created in its place) unless
// `database.create` asks for it; no write into a file no longer at its path is acknowledged.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigError, loadPlatformConfig } from '@sogoms/config';
import { ErrorCode } from '@sogoms/protocol';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSqliteFile,
  type Harness,
  mysqlDatabase,
  sqliteDatabase,
  startHarness,
  tempDir,
  writeRoutes,
} from './helpers.js';

type Row = Record<string, unknown>;

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

const INSERT = 'INSERT INTO users (email, password) VALUES (?, ?)';

/** The emails of the users table, read from the file alone (a copy without its -wal) when `fileOnly`. */
function emailsIn(file: string, fileOnly = false): string[] {
  let path = file;
  if (fileOnly) {
    path = `${file}.copy`;
    copyFileSync(file, path);
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT email FROM users ORDER BY id').all() as { email: string }[]).map(
      (r) => r.email,
    );
  } finally {
    db.close();
    if (fileOnly) rmSync(path, { force: true });
  }
}

describe('sogoms-db: the SQLite file missing, deleted or replaced (issue 11)', () => {
  let dir: string;
  let file: string;
  let h: Harness | undefined;

  beforeEach(() => {
    dir = tempDir();
    file = join(dir, 'app.db');
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (email: string) => h!.call('insert', { app_id: 'main', query: INSERT, args: [email, 'h'] });
  const failure = async (email: string) => {
    const err = await h!.fail('insert', { app_id: 'main', query: INSERT, args: [email, 'h'] });
    return [err.code, err.message];
  };
  const health = async () => (await h!.call<{ apps: Record<string, Row> }>('health')).apps['main'];

  it('a missing file is DB_UNAVAILABLE "database file missing" and down in health; no empty file is created', async () => {
    h = await startHarness(dir, { main: sqliteDatabase(file) });
    expect(await failure('a@example.com')).toEqual([ErrorCode.DB_UNAVAILABLE, 'database file missing']);
    expect(await health()).toEqual({ driver: 'sqlite', status: 'down', error: 'database file missing' });
    expect(existsSync(file)).toBe(false);
    // The file put in place: the database comes back without a restart.
    createSqliteFile(file);
    expect(await health()).toEqual({ driver: 'sqlite', status: 'ok' });
    await insert('a@example.com');
    expect(emailsIn(file)).toEqual(['a@example.com']);
  });

  it('database.create: true creates the missing file (the file is then a database without tables)', async () => {
    h = await startHarness(dir, { main: sqliteDatabase(file, { create: true }) });
    expect(await health()).toEqual({ driver: 'sqlite', status: 'ok' });
    expect(existsSync(file)).toBe(true);
  });

  it('database.create defaults to false, and is refused with driver: mysql', () => {
    writeRoutes(dir, { main: sqliteDatabase(file) });
    expect(loadPlatformConfig(dir).apps['main']!.database.create).toBe(false);
    writeRoutes(dir, { main: mysqlDatabase('x', { create: true }) });
    let problems: string[] = [];
    try {
      loadPlatformConfig(dir);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual(['database.create: only used with driver: sqlite']);
  });

  it('a file deleted under the running service: writes and reads refused, down in health, not recreated', async () => {
    createSqliteFile(file);
    h = await startHarness(dir, { main: sqliteDatabase(file) });
    await insert('before@example.com');
    unlinkSync(file); // as `rm app.db` does: the -wal and -shm stay
    expect(await failure('after@example.com')).toEqual([ErrorCode.DB_UNAVAILABLE, 'database file missing']);
    const read = await h.fail('query', { app_id: 'main', query: 'SELECT email FROM users' });
    expect([read.code, read.message]).toEqual([ErrorCode.DB_UNAVAILABLE, 'database file missing']);
    expect(await health()).toEqual({ driver: 'sqlite', status: 'down', error: 'database file missing' });
    expect(existsSync(file)).toBe(false);
    // A restored file is used, and the -wal of the deleted one (emptied at detection) is not replayed into it.
    createSqliteFile(file);
    await insert('restored@example.com');
    expect(emailsIn(file)).toEqual(['restored@example.com']);
    expect(await health()).toEqual({ driver: 'sqlite', status: 'ok' });
  });

  it('a file replaced under the running service: the next call is refused, then the new file is used', async () => {
    createSqliteFile(file);
    h = await startHarness(dir, { main: sqliteDatabase(file) });
    await insert('old@example.com');
    const fresh = join(dir, 'fresh.db');
    createSqliteFile(fresh);
    renameSync(fresh, file);
    expect(await failure('lost@example.com')).toEqual([ErrorCode.DB_UNAVAILABLE, 'database file replaced']);
    await insert('new@example.com');
    expect(emailsIn(file)).toEqual(['new@example.com']);
  });

  it('a write that waited for a lock while the file was moved away is refused, not acknowledged', async () => {
    createSqliteFile(file);
    h = await startHarness(dir, { main: sqliteDatabase(file) });
    await insert('first@example.com');
    // Another process holds the write lock, so the insert passes the check before it and then waits; the
    // file is moved away meanwhile and the lock released: the insert lands in the moved file.
    const moved = join(dir, 'moved.db');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(BETTER_SQLITE3)});
         const db = new D(${JSON.stringify(file)});
         db.exec('BEGIN IMMEDIATE');
         console.log('locked');
         setTimeout(() => {
           require('fs').renameSync(${JSON.stringify(file)}, ${JSON.stringify(moved)});
           db.exec('COMMIT');
           db.close();
         }, 1500);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const answer = await failure('waited@example.com');
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(answer).toEqual([ErrorCode.DB_UNAVAILABLE, 'database file missing']);
    // Proof that the write did happen before the refusal (in the file now at another path), i.e. that the
    // check after the write caught it.
    expect(emailsIn(moved)).toEqual(['first@example.com', 'waited@example.com']);
  });

  it('a -wal deleted alone: the write is kept (checkpointed into the file) and the service goes on', async () => {
    createSqliteFile(file);
    h = await startHarness(dir, { main: sqliteDatabase(file) });
    await insert('one@example.com');
    unlinkSync(`${file}-wal`);
    await insert('two@example.com');
    expect(emailsIn(file, true)).toEqual(['one@example.com', 'two@example.com']);
    await insert('three@example.com');
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(await health()).toEqual({ driver: 'sqlite', status: 'ok' });
  });
});
