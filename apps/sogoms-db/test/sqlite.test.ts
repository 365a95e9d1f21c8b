// SQLite-only behaviour: WAL mode, a lock held elsewhere answered as TIMEOUT, a file that cannot be opened,
// the MySQL functions, the statement cache bound, and reloads that keep or replace the file handle.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@sogoms/protocol';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATEMENT_CACHE_SIZE } from '../src/drivers/sqlite.js';
import {
  createSqliteFile,
  DATETIME,
  type DatabaseYaml,
  type Harness,
  sqliteDatabase,
  startHarness,
  tempDir,
  writeRoutes,
} from './helpers.js';

type Row = Record<string, unknown>;

async function until(probe: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sogoms-db on SQLite', () => {
  let dir: string;
  let file: string;
  let otherFile: string;
  let h: Harness;
  let apps: Record<string, DatabaseYaml>;

  beforeAll(async () => {
    dir = tempDir();
    file = join(dir, 'main.db');
    otherFile = join(dir, 'other.db');
    createSqliteFile(file);
    createSqliteFile(otherFile);
    apps = {
      main: sqliteDatabase(file),
      other: sqliteDatabase(otherFile),
      short: sqliteDatabase(file, { query_timeout: '200ms' }),
      // create: a missing file alone is "database file missing" (sqlite-file.test.ts); here the folder fails.
      broken: sqliteDatabase(join(dir, 'no-such-dir', 'x.db'), { create: true }),
    };
    h = await startHarness(dir, apps);
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the file in WAL mode with foreign keys enforced', async () => {
    await h.call('query', { app_id: 'main', query: 'SELECT 1' });
    const probe = new Database(file, { readonly: true });
    expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    probe.close();
    const err = await h.fail('insert', {
      app_id: 'main',
      query: 'INSERT INTO tags (user_id, name) VALUES (?, ?)',
      args: [31337, 'x'],
    });
    expect(err.code).toBe(ErrorCode.DB_CONSTRAINT);
  });

  it('a write lock held by another connection past query_timeout is TIMEOUT; reads go on meanwhile', async () => {
    const holder = new Database(file, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    try {
      const insert = {
        app_id: 'short',
        query: 'INSERT INTO users (email, password) VALUES (?, ?)',
        args: ['locked@example.com', 'h'],
      };
      expect((await h.fail('insert', insert)).code).toBe(ErrorCode.TIMEOUT);
      const tx = await h.fail('transaction', { app_id: 'short', statements: [insert] });
      expect(tx.code).toBe(ErrorCode.TIMEOUT);
      expect(await h.call('query', { app_id: 'short', query: 'SELECT COUNT(*) AS n FROM users' })).toEqual([
        { n: 0 },
      ]);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(
      await h.call('insert', {
        app_id: 'short',
        query: 'INSERT INTO users (email, password) VALUES (?, ?)',
        args: ['free@example.com', 'h'],
      }),
    ).toEqual({ insert_id: expect.any(Number), affected_rows: 1 });
  });

  it('a file that cannot be opened is DB_UNAVAILABLE and shows down in health; other apps are unaffected', async () => {
    const err = await h.fail('query', { app_id: 'broken', query: 'SELECT 1' });
    expect([err.code, err.message]).toEqual([ErrorCode.DB_UNAVAILABLE, 'database unavailable']);
    const health = await h.call<{ apps: Record<string, Row> }>('health');
    expect(health.apps).toEqual({
      main: { driver: 'sqlite', status: 'ok' },
      other: { driver: 'sqlite', status: 'ok' },
      short: { driver: 'sqlite', status: 'ok' },
      broken: { driver: 'sqlite', status: 'down', error: 'database unavailable (SQLITE_CANTOPEN)' },
    });
  });

  it('a file that is not a database is DB_UNAVAILABLE', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not a SQLite database, just text long enough to hold a header'.repeat(20));
    writeRoutes(dir, { ...apps, junk: sqliteDatabase(junk) });
    expect(h.running.reload()).toBe(true);
    await until(
      async () => (await h.call<{ apps: Row }>('health')).apps['junk'] !== undefined,
      'reload applied',
    );
    expect((await h.fail('query', { app_id: 'junk', query: 'SELECT 1' })).code).toBe(
      ErrorCode.DB_UNAVAILABLE,
    );
    writeRoutes(dir, apps);
    expect(h.running.reload()).toBe(true);
  });

  it('provides the MySQL date and string functions in MySQL formats', async () => {
    const row = await h.call<Row>('query_one', {
      app_id: 'main',
      query: `SELECT NOW() AS now, UTC_TIMESTAMP() AS utc, CURRENT_TIMESTAMP AS ts, CURDATE() AS today,
        CURTIME() AS time, UNIX_TIMESTAMP('2025-12-16 12:00:00') AS unix, UNIX_TIMESTAMP('2025-12-16') AS day,
        FROM_UNIXTIME(0) AS epoch, CONCAT_WS('-', 'a', NULL, 'b') AS ws, CONCAT('n', 1, 2.5) AS mixed`,
    });
    expect(row).toEqual({
      now: expect.stringMatching(DATETIME),
      utc: expect.stringMatching(DATETIME),
      ts: expect.stringMatching(DATETIME),
      today: String(row['now']).slice(0, 10),
      time: expect.stringMatching(/^\d{2}:\d{2}:\d{2}$/),
      unix: 1765886400,
      day: 1765843200,
      epoch: '1970-01-01 00:00:00',
      ws: 'a-b',
      mixed: 'n12.5',
    });
    // NOW() is UTC like CURRENT_TIMESTAMP, so rows stamped by either compare correctly.
    expect(Math.abs(Date.parse(`${row['now']}Z`) - Date.parse(`${row['ts']}Z`))).toBeLessThanOrEqual(1_000);
  });

  it(`keeps working past ${STATEMENT_CACHE_SIZE} distinct statements (the cache drops the oldest)`, async () => {
    for (let i = 0; i < STATEMENT_CACHE_SIZE + 50; i++) {
      const row = await h.call<Row>('query_one', {
        app_id: 'main',
        query: `SELECT ${i} AS n, ? AS v`,
        args: [i],
      });
      expect(row).toEqual({ n: i, v: i });
    }
    expect(
      await h.call('query_one', { app_id: 'main', query: 'SELECT 0 AS n, ? AS v', args: ['again'] }),
    ).toEqual({
      n: 0,
      v: 'again',
    });
  });

  it('reload keeps a file handle whose settings did not change and reopens one whose settings did', async () => {
    // A TEMP table lives only as long as its connection: it tells whether the handle was kept.
    await h.call('query', { app_id: 'main', query: 'CREATE TEMP TABLE marker (x INTEGER)' });
    await h.call('query', { app_id: 'other', query: 'CREATE TEMP TABLE marker (x INTEGER)' });
    const moved = join(dir, 'moved', 'other.db');
    mkdirSync(join(dir, 'moved'));
    createSqliteFile(moved);
    await h.call('insert', {
      app_id: 'other',
      query: 'INSERT INTO users (email, password) VALUES (?, ?)',
      args: ['old-file@example.com', 'h'],
    });
    writeRoutes(dir, { ...apps, other: sqliteDatabase(moved) });
    expect(h.running.reload()).toBe(true);
    const markerIn = async (app_id: string) =>
      (
        await h.call<Row[]>('query', {
          app_id,
          query: "SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name = 'marker'",
        })
      ).length === 1;
    await until(async () => !(await markerIn('other')), 'other reopened on the new file');
    expect(await h.call('query', { app_id: 'other', query: 'SELECT email FROM users' })).toEqual([]);
    expect(await markerIn('main')).toBe(true);
    writeRoutes(dir, { main: apps['main']! });
    expect(h.running.reload()).toBe(true);
    await until(
      async () =>
        (await h.fail('query', { app_id: 'other', query: 'SELECT 1' })).code === ErrorCode.UNKNOWN_APP,
      'other removed',
    );
    expect(await markerIn('main')).toBe(true);
    writeRoutes(dir, apps);
    expect(h.running.reload()).toBe(true);
  });
});
