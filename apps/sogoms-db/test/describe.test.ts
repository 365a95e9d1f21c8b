// Driver parity (issue item 16): `describe` reports the same column limits on MariaDB and on the STRICT SQLite
// schema, and a value a column refuses is the same VALIDATION_ERROR naming the column on both drivers.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@sogoms/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, mariadbAvailable, type TestDatabase } from '../../../tests/helpers/mariadb.js';
import { parseColumnType } from '../src/describe.js';
import {
  createSqliteFile,
  type Harness,
  mysqlDatabase,
  prokovSchema,
  sqliteDatabase,
  startHarness,
  tempDir,
} from './helpers.js';

const hasMariadb = await mariadbAvailable();
const app = { app_id: 'main' };

describe('parseColumnType', () => {
  it.each([
    ['int(10) unsigned', 'mysql', { type: 'integer', min: 0, max: 4_294_967_295 }],
    ['int(11)', 'mysql', { type: 'integer', min: -2_147_483_648, max: 2_147_483_647 }],
    ['tinyint(1)', 'mysql', { type: 'integer', min: -128, max: 127 }],
    ['smallint(6)', 'mysql', { type: 'integer', min: -32_768, max: 32_767 }],
    ['bigint(20)', 'mysql', { type: 'integer', min: -(2 ** 53 - 1), max: 2 ** 53 - 1 }],
    ['INTEGER', 'sqlite', { type: 'integer', min: -(2 ** 53 - 1), max: 2 ** 53 - 1 }],
    ['varchar(150)', 'mysql', { type: 'text', max_length: 150 }],
    ['VARCHAR(20)', 'sqlite', { type: 'text', max_length: 20 }],
    ['text', 'mysql', { type: 'text', max_bytes: 65_535 }],
    ['TEXT', 'sqlite', { type: 'text' }],
    ['decimal(5,2)', 'mysql', { type: 'number', min: -999.99, max: 999.99 }],
    ['double', 'mysql', { type: 'number' }],
    ['date', 'mysql', { type: 'date' }],
    ['datetime', 'mysql', { type: 'other' }],
    ["enum('a','b')", 'mysql', { type: 'other' }],
  ] as const)('%s (%s)', (declared, dialect, expected) => {
    expect(parseColumnType(declared, dialect)).toEqual(expected);
  });
});

type Backend = { h: Harness; cleanup(): Promise<void> };

async function sqliteBackend(): Promise<Backend> {
  const dir = tempDir();
  const file = join(dir, 'prokov.db');
  createSqliteFile(file);
  const h = await startHarness(dir, { main: sqliteDatabase(file) });
  return {
    h,
    async cleanup() {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function mariadbBackend(): Promise<Backend> {
  const db: TestDatabase = await createTestDatabase(prokovSchema('mysql'));
  const dir = tempDir();
  const h = await startHarness(dir, { main: mysqlDatabase(db.name) });
  return {
    h,
    async cleanup() {
      await h.stop();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What both drivers must answer alike. */
const BODY_COLUMNS: Record<string, string[]> = {
  projects: ['name', 'description', 'color', 'position'],
  statuses: ['name', 'color', 'position'],
  tags: ['name', 'color'],
  tasks: ['project_id', 'status_id', 'title', 'description', 'priority', 'due_date', 'position', 'done'],
  users: ['email', 'password', 'name', 'role'],
};

async function describeBody(h: Harness): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [table, names] of Object.entries(BODY_COLUMNS)) {
    const { columns } = await h.call<{ columns: { name: string }[] }>('describe', { ...app, table });
    out[table] = columns.filter((c) => names.includes(c.name));
  }
  return out;
}

/** Statements the database itself refuses (the gateway normally stops them first). */
async function refusals(h: Harness): Promise<unknown[]> {
  await h.call('delete', { ...app, query: 'DELETE FROM users' });
  const { insert_id: user } = await h.call<{ insert_id: number }>('insert', {
    ...app,
    query: 'INSERT INTO users (email, password) VALUES (?, ?)',
    args: ['parity@example.com', 'hash'],
  });
  const insert = 'INSERT INTO projects (user_id, name, position) VALUES (?, ?, ?)';
  const cases: [string, unknown][] = [
    ['name of 151 characters', 'n'.repeat(151)],
    ['name of 10,000 characters', 'n'.repeat(10_000)],
    ['position "abc"', 'abc'],
    ['position 2^53', 2 ** 53],
  ];
  const answers: unknown[] = [];
  for (const [what, value] of cases) {
    const args = what.startsWith('name') ? [user, value, 0] : [user, 'P', value];
    const err = await h.fail('insert', { ...app, query: insert, args });
    answers.push({ what, code: err.code, message: err.message, data: err.data });
  }
  const stored = await h.call<unknown[]>('query', { ...app, query: 'SELECT id FROM projects' });
  answers.push({ stored: stored.length });
  return answers;
}

describe('describe and value errors on both drivers', () => {
  let sqlite: Backend;
  let maria: Backend | undefined;
  beforeAll(async () => {
    sqlite = await sqliteBackend();
    if (hasMariadb) maria = await mariadbBackend();
  });
  afterAll(async () => {
    await sqlite?.cleanup();
    await maria?.cleanup();
  });

  it('describe gives the column limits of the STRICT SQLite schema', async () => {
    const { columns } = await sqlite.h.call<{ columns: unknown[] }>('describe', {
      ...app,
      table: 'projects',
    });
    expect(columns).toEqual([
      { name: 'id', type: 'integer', nullable: false, min: -(2 ** 53 - 1), max: 2 ** 53 - 1 },
      { name: 'user_id', type: 'integer', nullable: false, min: -(2 ** 53 - 1), max: 2 ** 53 - 1 },
      { name: 'name', type: 'text', nullable: false, max_length: 150 },
      { name: 'description', type: 'text', nullable: true, max_bytes: 65_535 },
      { name: 'color', type: 'text', nullable: true, max_length: 20 },
      { name: 'position', type: 'integer', nullable: false, min: -2_147_483_648, max: 2_147_483_647 },
      { name: 'created_at', type: 'text', nullable: false },
      { name: 'updated_at', type: 'text', nullable: false },
    ]);
  });

  it('an unknown table describes as no columns; a table name that is no identifier is BAD_REQUEST', async () => {
    expect(await sqlite.h.call('describe', { ...app, table: 'nope' })).toEqual({
      table: 'nope',
      columns: [],
    });
    const err = await sqlite.h.fail('describe', { ...app, table: 'projects; DROP TABLE users' });
    expect(err.code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('SQLite refuses what MariaDB refuses: too long, not an integer, out of range → VALIDATION_ERROR naming the column', async () => {
    expect(await refusals(sqlite.h)).toEqual([
      {
        what: 'name of 151 characters',
        code: 'VALIDATION_ERROR',
        message: 'Field "name" is too long',
        data: { field: 'name' },
      },
      {
        what: 'name of 10,000 characters',
        code: 'VALIDATION_ERROR',
        message: 'Field "name" is too long',
        data: { field: 'name' },
      },
      {
        what: 'position "abc"',
        code: 'VALIDATION_ERROR',
        message: 'Field "position" has an invalid value',
        data: { field: 'position' },
      },
      {
        what: 'position 2^53',
        code: 'VALIDATION_ERROR',
        message: 'Field "position" is out of range',
        data: { field: 'position' },
      },
      { stored: 0 },
    ]);
  });

  it.runIf(hasMariadb)('MariaDB describes the body columns exactly as SQLite does', async () => {
    expect(await describeBody(maria!.h)).toEqual(await describeBody(sqlite.h));
  });

  it.runIf(hasMariadb)(
    'MariaDB answers the same refusals as SQLite (a long name was a 409 before)',
    async () => {
      expect(await refusals(maria!.h)).toEqual(await refusals(sqlite.h));
    },
  );
});
