// MariaDB-only behaviour: query timeouts that free the server, an unreachable server answered quickly,
// the Unix socket, and reloads that keep or replace pools.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@sogoms/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, mariadbAvailable, type TestDatabase } from '../../../tests/helpers/mariadb.js';
import {
  type DatabaseYaml,
  freePort,
  type Harness,
  mysqlDatabase,
  prokovSchema,
  startHarness,
  tempDir,
  writeRoutes,
} from './helpers.js';

type Row = Record<string, unknown>;

const hasMariadb = await mariadbAvailable();

async function until(probe: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sogoms-db, MariaDB unreachable', () => {
  let dir: string;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers DB_UNAVAILABLE at once when nothing listens on the port, and health shows the app down', async () => {
    dir = tempDir();
    const port = await freePort();
    h = await startHarness(dir, { down: mysqlDatabase('prokov', { host: '127.0.0.1', port }) });
    const started = Date.now();
    const err = await h.fail('query', { app_id: 'down', query: 'SELECT 1' });
    expect(err.code).toBe(ErrorCode.DB_UNAVAILABLE);
    expect(err.message).toBe('database unavailable');
    expect(Date.now() - started).toBeLessThan(3_000);
    const health = await h.call<{ status: string; apps: Record<string, Row> }>('health');
    expect(health.status).toBe('ok');
    expect(health.apps['down']).toEqual({
      driver: 'mysql',
      status: 'down',
      error: 'database unavailable (ECONNREFUSED)',
    });
  });

  it('answers DB_UNAVAILABLE when the configured Unix socket does not exist', async () => {
    dir = tempDir();
    h = await startHarness(dir, { down: mysqlDatabase('prokov', { socket: join(dir, 'no-mysqld.sock') }) });
    const err = await h.fail('query_one', { app_id: 'down', query: 'SELECT 1' });
    expect(err.code).toBe(ErrorCode.DB_UNAVAILABLE);
    const health = await h.call<{ apps: Record<string, Row> }>('health');
    expect(health.apps['down']).toMatchObject({ status: 'down', error: 'database unavailable (ENOENT)' });
  });
});

describe.runIf(hasMariadb)('sogoms-db on MariaDB: timeouts, credentials, socket, reload', () => {
  let db: TestDatabase;
  let dir: string;
  let h: Harness;
  let apps: Record<string, DatabaseYaml>;
  const sleepers = async (): Promise<number> => {
    const rows = await db.rows<{ n: number }>(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT SLEEP%'",
      [db.name],
    );
    return Number(rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    db = await createTestDatabase(prokovSchema('mysql'));
    dir = tempDir();
    apps = {
      main: mysqlDatabase(db.name, { pool: 1 }),
      other: mysqlDatabase(db.name, { pool: 1 }),
      short: mysqlDatabase(db.name, { query_timeout: '200ms' }),
    };
    h = await startHarness(dir, apps);
  });
  afterAll(async () => {
    await h?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a statement past query_timeout is TIMEOUT at the deadline, and its server thread is killed', async () => {
    const started = Date.now();
    const err = await h.fail('query', { app_id: 'short', query: 'SELECT SLEEP(2)' });
    expect(err.code).toBe(ErrorCode.TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1_500);
    await until(async () => (await sleepers()) === 0, 'the sleeping query is killed on the server', 1_500);
    // The pool goes on serving.
    expect(await h.call('query_one', { app_id: 'short', query: 'SELECT 1 AS one' })).toEqual({ one: 1 });
  });

  it('a transaction past query_timeout is TIMEOUT and rolled back', async () => {
    const err = await h.fail('transaction', {
      app_id: 'short',
      statements: [
        { query: 'INSERT INTO users (email, password) VALUES (?, ?)', args: ['slow@example.com', 'h'] },
        { query: 'SELECT SLEEP(2)' },
      ],
    });
    expect(err.code).toBe(ErrorCode.TIMEOUT);
    await until(async () => (await sleepers()) === 0, 'the transaction thread is killed');
    expect(await db.rows('SELECT id FROM users WHERE email = ?', ['slow@example.com'])).toEqual([]);
  });

  it('wrong credentials and an unknown database are DB_UNAVAILABLE, never the server text', async () => {
    writeRoutes(dir, {
      ...apps,
      baduser: mysqlDatabase(db.name, { user: 'sogoms_no_such_user', password: 'x' }),
      nodb: mysqlDatabase(`${db.name}_missing`),
    });
    expect(h.running.reload()).toBe(true);
    await until(
      async () => (await h.call<{ apps: Row }>('health')).apps['nodb'] !== undefined,
      'reload applied',
    );
    for (const app_id of ['baduser', 'nodb']) {
      const err = await h.fail('query', { app_id, query: 'SELECT 1' });
      expect([app_id, err.code, err.message]).toEqual([
        app_id,
        ErrorCode.DB_UNAVAILABLE,
        'database unavailable',
      ]);
    }
    const health = await h.call<{ apps: Record<string, Row> }>('health');
    expect(health.apps['baduser']).toMatchObject({ status: 'down' });
    expect(health.apps['nodb']).toMatchObject({
      status: 'down',
      error: 'database unavailable (ER_BAD_DB_ERROR)',
    });
    expect(health.apps['main']).toEqual({ driver: 'mysql', status: 'ok' });
    writeRoutes(dir, apps);
    expect(h.running.reload()).toBe(true);
  });

  it('reload keeps a pool whose settings did not change and replaces one whose settings did', async () => {
    const connectionOf = async (app_id: string) =>
      (await h.call<Row>('query_one', { app_id, query: 'SELECT CONNECTION_ID() AS id' }))['id'];
    const mainBefore = await connectionOf('main');
    const otherBefore = await connectionOf('other');
    // A statement in flight on the pool being replaced finishes on it.
    const inFlight = h.call<Row>('query_one', {
      app_id: 'other',
      query: 'SELECT SLEEP(0.4) AS slept, ? AS v',
      args: ['x'],
    });
    await new Promise((r) => setTimeout(r, 100));
    writeRoutes(dir, { ...apps, other: mysqlDatabase(db.name, { pool: 2 }) });
    expect(h.running.reload()).toBe(true);
    await until(async () => (await connectionOf('other')) !== otherBefore, 'the other pool is replaced');
    expect(await inFlight).toEqual({ slept: 0, v: 'x' });
    expect(await connectionOf('main')).toBe(mainBefore);
    // An app removed from the configuration is unknown from then on.
    writeRoutes(dir, { main: apps['main']!, short: apps['short']! });
    expect(h.running.reload()).toBe(true);
    await until(
      async () =>
        (await h.fail('query', { app_id: 'other', query: 'SELECT 1' })).code === ErrorCode.UNKNOWN_APP,
      'other removed',
    );
    writeRoutes(dir, apps);
    expect(h.running.reload()).toBe(true);
  });

  it('sessions run in UTC and without NO_BACKSLASH_ESCAPES (argument escaping relies on it)', async () => {
    const row = await h.call<Row>('query_one', {
      app_id: 'main',
      query: 'SELECT @@session.time_zone AS tz, @@session.sql_mode AS mode',
    });
    expect(row['tz']).toBe('+00:00');
    expect(String(row['mode'])).not.toContain('NO_BACKSLASH_ESCAPES');
  });

  it('runs many concurrent calls on a small pool', async () => {
    const calls = Array.from({ length: 40 }, (_, i) =>
      h.call<Row>('query_one', { app_id: 'main', query: 'SELECT ? + 1 AS n', args: [i] }),
    );
    expect((await Promise.all(calls)).map((r) => r['n'])).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it('connects over the Unix socket when database.socket is set', async () => {
    const [row] = await db.rows<{ socket: string }>('SELECT @@socket AS socket');
    const socket = row?.socket;
    if (!socket || !existsSync(socket)) {
      console.warn(`MariaDB socket ${socket} is not on this host: socket connection not tested`);
      return;
    }
    writeRoutes(dir, { ...apps, viasocket: mysqlDatabase(db.name, { socket }) });
    expect(h.running.reload()).toBe(true);
    await until(
      async () => (await h.call<{ apps: Row }>('health')).apps['viasocket'] !== undefined,
      'reload applied',
    );
    expect(await h.call('query_one', { app_id: 'viasocket', query: 'SELECT DATABASE() AS db' })).toEqual({
      db: db.name,
    });
  });

  it('close ends every connection to the server', async () => {
    const dir2 = tempDir();
    const h2 = await startHarness(dir2, { main: mysqlDatabase(db.name, { pool: 3 }) });
    await Promise.all([1, 2, 3].map(() => h2.call('query', { app_id: 'main', query: 'SELECT SLEEP(0.05)' })));
    const ours = async () =>
      Number(
        (
          await db.rows<{ n: number }>(
            'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
            [db.name],
          )
        )[0]?.n,
      );
    const before = await ours();
    await h2.stop();
    rmSync(dir2, { recursive: true, force: true });
    await until(async () => (await ours()) <= before - 3, 'the pool connections are gone');
  });
});
