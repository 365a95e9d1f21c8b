// Every action through a real protocol client, on a real MariaDB database and on a SQLite file, with the same
// expectations for both: the gateway must not be able to tell the drivers apart.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@sogoms/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, mariadbAvailable } from '../../../tests/helpers/mariadb.js';
import {
  createSqliteFile,
  DATE,
  DATETIME,
  EXTRAS_SCHEMA,
  type Harness,
  mysqlDatabase,
  prokovSchema,
  sqliteDatabase,
  startHarness,
  tempDir,
} from './helpers.js';

type Row = Record<string, unknown>;
type Backend = { harness: Harness; cleanup(): Promise<void> };

const hasMariadb = await mariadbAvailable();

async function sqliteBackend(): Promise<Backend> {
  const dir = tempDir();
  const file = join(dir, 'prokov.db');
  createSqliteFile(file);
  const harness = await startHarness(dir, { main: sqliteDatabase(file) });
  return {
    harness,
    async cleanup() {
      await harness.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function mariadbBackend(): Promise<Backend> {
  const db = await createTestDatabase(prokovSchema('mysql'));
  await db.exec(EXTRAS_SCHEMA.mysql);
  const dir = tempDir();
  const harness = await startHarness(dir, { main: mysqlDatabase(db.name) });
  return {
    harness,
    async cleanup() {
      await harness.stop();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same cases against one driver. */
function sharedBehaviour(kind: 'mysql' | 'sqlite', open: () => Promise<Backend>): void {
  let backend: Backend;
  let h: Harness;
  let emailSeq = 1;
  const app = { app_id: 'main' };
  const run = <T = unknown>(action: string, query: string, args: unknown[] = []) =>
    h.call<T>(action, { ...app, query, args });
  const fail = (action: string, query: string, args: unknown[] = []) =>
    h.fail(action, { ...app, query, args });
  const addUser = async (email: string, name = 'Ann') =>
    (
      await run<{ insert_id: number }>(
        'insert',
        'INSERT INTO users (email, password, name) VALUES (?, ?, ?)',
        [email, 'hash', name],
      )
    ).insert_id;

  beforeAll(async () => {
    backend = await open();
    h = backend.harness;
  });
  afterAll(async () => {
    await backend?.cleanup();
  });
  beforeEach(async () => {
    // Owned rows go with their user (ON DELETE CASCADE on both schemas).
    await run('delete', 'DELETE FROM users');
    await run('delete', 'DELETE FROM extras');
  });

  it('insert answers {insert_id, affected_rows}; query_one reads the row back with its dates as text', async () => {
    const result = await run<Row>('insert', 'INSERT INTO users (email, password, name) VALUES (?, ?, ?)', [
      'ann@example.com',
      'hash',
      'Ann',
    ]);
    expect(result).toEqual({ insert_id: expect.any(Number), affected_rows: 1 });
    const row = await run<Row>('query_one', 'SELECT * FROM users WHERE id = ?', [result['insert_id']]);
    expect(row).toEqual({
      id: result['insert_id'],
      email: 'ann@example.com',
      password: 'hash',
      name: 'Ann',
      role: 'user',
      created_at: expect.stringMatching(DATETIME),
      updated_at: expect.stringMatching(DATETIME),
    });
  });

  it('query answers an array of plain row objects, [] when nothing matches', async () => {
    const ann = await addUser('ann@example.com', 'Ann');
    const bob = await addUser('bob@example.com', 'Bob');
    const rows = await run<Row[]>('query', 'SELECT id, name FROM users ORDER BY name');
    expect(rows).toEqual([
      { id: ann, name: 'Ann' },
      { id: bob, name: 'Bob' },
    ]);
    expect(await run('query', 'SELECT id FROM users WHERE email = ?', ['nobody@example.com'])).toEqual([]);
  });

  it('query_one answers the first row, or null when nothing matches', async () => {
    await addUser('ann@example.com', 'Ann');
    await addUser('bob@example.com', 'Bob');
    expect(await run('query_one', 'SELECT name FROM users ORDER BY name DESC')).toEqual({ name: 'Bob' });
    expect(await run('query_one', 'SELECT id FROM users WHERE id = ?', [999_999])).toBeNull();
  });

  it('update counts the rows matched, also when their values do not change', async () => {
    const ann = await addUser('ann@example.com', 'Ann');
    const sql = 'UPDATE users SET name = ? WHERE id = ?';
    expect(await run('update', sql, ['Anna', ann])).toEqual({ affected_rows: 1 });
    // The gateway answers 404 on 0: an update that changes nothing on a visible row must still count it.
    expect(await run('update', sql, ['Anna', ann])).toEqual({ affected_rows: 1 });
    expect(await run('update', sql, ['Anna', 999_999])).toEqual({ affected_rows: 0 });
  });

  it('delete answers {affected_rows}', async () => {
    await addUser('ann@example.com');
    await addUser('bob@example.com');
    expect(await run('delete', 'DELETE FROM users WHERE email LIKE ?', ['%@example.com'])).toEqual({
      affected_rows: 2,
    });
    expect(await run('delete', 'DELETE FROM users WHERE id = ?', [1])).toEqual({ affected_rows: 0 });
  });

  it('a unique violation is DB_DUPLICATE naming the key, not the value', async () => {
    await addUser('ann@example.com');
    const err = await fail('insert', 'INSERT INTO users (email, password) VALUES (?, ?)', [
      'ann@example.com',
      'x',
    ]);
    expect(err.code).toBe(ErrorCode.DB_DUPLICATE);
    expect(err.message).toBe('duplicate entry');
    expect(err.data?.['key']).toMatch(kind === 'mysql' ? /^uq_users_email$/ : /^users\.email$/);
    expect(JSON.stringify(err.data)).not.toContain('ann@example.com');
  });

  it('a reference to a missing row is DB_CONSTRAINT foreign_key', async () => {
    const err = await fail('insert', 'INSERT INTO projects (user_id, name) VALUES (?, ?)', [424_242, 'P']);
    expect(err.code).toBe(ErrorCode.DB_CONSTRAINT);
    expect(err.data).toEqual({ kind: 'foreign_key' });
  });

  it('NOT NULL and CHECK violations are DB_CONSTRAINT with their kind', async () => {
    const notNull = await fail('insert', 'INSERT INTO users (email, password) VALUES (?, ?)', [null, 'x']);
    expect([notNull.code, notNull.data]).toEqual([ErrorCode.DB_CONSTRAINT, { kind: 'not_null' }]);
    const check = await fail('insert', 'INSERT INTO extras (qty) VALUES (?)', [-1]);
    expect([check.code, check.data]).toEqual([ErrorCode.DB_CONSTRAINT, { kind: 'check' }]);
  });

  it('booleans are stored as 1/0 and read back as numbers', async () => {
    const user = await addUser('ann@example.com');
    const sql = 'INSERT INTO tasks (user_id, title, done) VALUES (?, ?, ?)';
    await run('insert', sql, [user, 'open', false]);
    await run('insert', sql, [user, 'closed', true]);
    const rows = await run('query', 'SELECT title, done FROM tasks WHERE user_id = ? ORDER BY title', [user]);
    expect(rows).toEqual([
      { title: 'closed', done: 1 },
      { title: 'open', done: 0 },
    ]);
    expect(await run('query', 'SELECT title FROM tasks WHERE done = ?', [true])).toEqual([
      { title: 'closed' },
    ]);
  });

  it('DATE, DATETIME and TIMESTAMP values, NOW() and CURDATE() come back as text', async () => {
    await run('insert', 'INSERT INTO extras (day, at, stamp) VALUES (?, ?, ?)', [
      '2025-12-16',
      '2025-12-16 12:34:56',
      '2025-12-16 01:02:03',
    ]);
    expect(await run('query_one', 'SELECT day, at, stamp FROM extras')).toEqual({
      day: '2025-12-16',
      at: '2025-12-16 12:34:56',
      stamp: '2025-12-16 01:02:03',
    });
    const now = await run<Row>(
      'query_one',
      'SELECT NOW() AS now, CURDATE() AS today, CURRENT_TIMESTAMP AS ts',
    );
    expect(now['now']).toMatch(DATETIME);
    expect(now['ts']).toMatch(DATETIME);
    expect(now['today']).toMatch(DATE);
    // Both clocks are UTC: NOW() is today's date in UTC on either driver.
    expect(String(now['now']).slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    const stored = await run<{ insert_id: number }>('insert', 'INSERT INTO extras (at) VALUES (NOW())');
    const row = await run<Row>('query_one', 'SELECT at FROM extras WHERE id = ?', [stored.insert_id]);
    expect(row['at']).toMatch(DATETIME);
  });

  it('COUNT(*) and SUM over a decimal are numbers; LIMIT ? OFFSET ? takes number args', async () => {
    const user = await addUser('ann@example.com');
    for (const title of ['a', 'b', 'c', 'd'])
      await run('insert', 'INSERT INTO tasks (user_id, title) VALUES (?, ?)', [user, title]);
    await run('insert', 'INSERT INTO extras (amount) VALUES (?), (?)', [1.25, 2.5]);
    expect(await run('query_one', 'SELECT COUNT(*) AS n FROM tasks')).toEqual({ n: 4 });
    expect(await run('query_one', 'SELECT SUM(amount) AS total FROM extras')).toEqual({ total: 3.75 });
    const page = await run('query', 'SELECT title FROM tasks ORDER BY title LIMIT ? OFFSET ?', [2, 1]);
    expect(page).toEqual([{ title: 'b' }, { title: 'c' }]);
  });

  it('CONCAT, IFNULL, IF and UNIX_TIMESTAMP() give the same answers', async () => {
    const row = await run<Row>(
      'query_one',
      "SELECT CONCAT('a', ?, 'c') AS s, CONCAT('a', NULL) AS n, IFNULL(NULL, ?) AS d, IF(1 = 1, 'y', 'n') AS i, UNIX_TIMESTAMP() AS u",
      ['b', 'dflt'],
    );
    expect(row).toEqual({ s: 'abc', n: null, d: 'dflt', i: 'y', u: expect.any(Number) });
    expect(Math.abs(Number(row['u']) - Date.now() / 1000)).toBeLessThan(300);
  });

  it('arguments are values, never SQL: quotes, backslashes, "?" and 4-byte characters round-trip', async () => {
    const tricky = [
      "it's",
      'back\\slash\\',
      '"; DROP TABLE users; --',
      "' OR 1=1 -- ",
      'what?',
      'emoji 🎉 ok',
      '\n\t\0',
    ];
    for (const value of tricky) {
      const { insert_id } = await run<{ insert_id: number }>(
        'insert',
        'INSERT INTO users (email, password, name) VALUES (?, ?, ?)',
        [`${emailSeq++}@example.com`, 'h', value],
      );
      expect(
        await run('query_one', "SELECT name, '?' AS q FROM users WHERE id = ? AND name = ?", [
          insert_id,
          value,
        ]),
      ).toEqual({
        name: value,
        q: '?',
      });
    }
    expect(await run('query_one', 'SELECT COUNT(*) AS n FROM users')).toEqual({ n: tricky.length });
  });

  it('two statements in one call are refused with BAD_REQUEST; a trailing ";" and ";" in literals are fine', async () => {
    await addUser('ann@example.com');
    for (const sql of [
      'SELECT 1; SELECT 2',
      'SELECT 1;DELETE FROM users',
      "SELECT ';' AS s; DELETE FROM users",
      'SELECT 1; -- trailing comment\nSELECT 2',
    ]) {
      const err = await fail('query', sql);
      expect(err.code, sql).toBe(ErrorCode.BAD_REQUEST);
    }
    expect(await run('query', 'SELECT COUNT(*) AS n FROM users;')).toEqual([{ n: 1 }]);
    expect(await run('query', "SELECT 'a;b' AS s /* ; */ -- ;\n")).toEqual([{ s: 'a;b' }]);
  });

  it('transaction control and connection-state statements are refused (they would leak to other calls)', async () => {
    for (const sql of [
      'BEGIN',
      'START TRANSACTION',
      'COMMIT',
      'ROLLBACK',
      'SET @x = 1',
      'PRAGMA foreign_keys = OFF',
    ]) {
      const err = await fail('query', sql);
      expect(err.code, sql).toBe(ErrorCode.BAD_REQUEST);
    }
  });

  it('transaction answers each statement result in order, and LAST_INSERT_ID() links them', async () => {
    const results = await h.call<unknown[]>('transaction', {
      ...app,
      statements: [
        { query: 'INSERT INTO users (email, password) VALUES (?, ?)', args: ['ann@example.com', 'h'] },
        { query: 'INSERT INTO projects (user_id, name) VALUES (LAST_INSERT_ID(), ?)', args: ['Garden'] },
        { query: 'UPDATE projects SET position = ? WHERE name = ?', args: [3, 'Garden'] },
        { query: 'SELECT p.name, p.position, u.email FROM projects p JOIN users u ON u.id = p.user_id' },
      ],
    });
    expect(results).toEqual([
      { insert_id: expect.any(Number), affected_rows: 1 },
      { insert_id: expect.any(Number), affected_rows: 1 },
      { insert_id: 0, affected_rows: 1 },
      [{ name: 'Garden', position: 3, email: 'ann@example.com' }],
    ]);
  });

  it('a failing transaction leaves nothing behind', async () => {
    await addUser('taken@example.com');
    const err = await h.fail('transaction', {
      ...app,
      statements: [
        { query: 'INSERT INTO users (email, password) VALUES (?, ?)', args: ['new@example.com', 'h'] },
        { query: 'INSERT INTO projects (user_id, name) VALUES (LAST_INSERT_ID(), ?)', args: ['P'] },
        { query: 'INSERT INTO users (email, password) VALUES (?, ?)', args: ['taken@example.com', 'h'] },
      ],
    });
    expect(err.code).toBe(ErrorCode.DB_DUPLICATE);
    expect(await run('query', 'SELECT email FROM users')).toEqual([{ email: 'taken@example.com' }]);
    expect(await run('query', 'SELECT id FROM projects')).toEqual([]);
    // The connection is clean afterwards: a later statement is not part of a dangling transaction.
    await addUser('after@example.com');
    expect(await run('query_one', 'SELECT COUNT(*) AS n FROM users')).toEqual({ n: 2 });
  });

  it('an unknown app is UNKNOWN_APP; malformed params are BAD_REQUEST', async () => {
    const unknown = await h.fail('query', { app_id: 'nope', query: 'SELECT 1' });
    expect(unknown.code).toBe(ErrorCode.UNKNOWN_APP);
    const bad: Record<string, unknown>[] = [
      { query: 'SELECT 1' },
      { app_id: 42, query: 'SELECT 1' },
      { ...app },
      { ...app, query: '   ' },
      { ...app, query: 7 },
      { ...app, query: 'SELECT ?', args: 'x' },
      { ...app, query: 'SELECT ?', args: [{ a: 1 }] },
      { ...app, query: 'SELECT ?', args: [[1]] },
    ];
    for (const params of bad) {
      const err = await h.fail('query', params);
      expect(err.code, JSON.stringify(params)).toBe(ErrorCode.BAD_REQUEST);
    }
    for (const statements of [undefined, [], 'SELECT 1', [null], [{ query: '' }]]) {
      const err = await h.fail('transaction', { ...app, statements });
      expect(err.code, JSON.stringify(statements)).toBe(ErrorCode.BAD_REQUEST);
    }
  });

  it('a syntax error or an unknown column is DB_ERROR "query failed", with no SQL in the answer', async () => {
    for (const sql of [
      'SELEC id FROM users',
      'SELECT no_such_column FROM users',
      'SELECT * FROM no_such_table',
    ]) {
      const err = await fail('query', sql);
      expect(err.code).toBe(ErrorCode.DB_ERROR);
      expect(err.message).toBe('query failed');
      // The database's message (values cut out) for the gateway's log and dev bodies; nothing else.
      expect(Object.keys(err.data ?? {})).toEqual(['detail']);
    }
  });

  it('health reports the app with its driver', async () => {
    const health = await h.call<Row>('health');
    expect(health).toMatchObject({
      status: 'ok',
      service: 'sogoms-db',
      apps: { main: { driver: kind, status: 'ok' } },
    });
  });
}

describe('sogoms-db on SQLite', () => {
  sharedBehaviour('sqlite', sqliteBackend);
});

describe.runIf(hasMariadb)('sogoms-db on MariaDB', () => {
  sharedBehaviour('mysql', mariadbBackend);
});
