// `sogoms-schema migrate` on live databases holding rows: a new column and index are applied, a dropped column
// is refused without --allow-destructive, --dry-run changes nothing; on SQLite and on MariaDB.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfigTree } from '@sogoms/config';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  MARIADB,
  mariadbAvailable,
  type TestDatabase,
} from '../../../tests/helpers/mariadb.js';
import { runMigrateCommand } from '../src/cli.js';
import { SESSIONS_SQL } from '../src/sessions.js';

const V1 = `tables:
  users:
    fields:
      id: { type: int, primary: true, auto: true }
      email: { type: email, unique: true, auth: login }
      password: { type: string, auth: password, hidden: true }
  notes:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      title: { type: string, max: 100, required: true }
    crud: [list, show, create, update, delete]
`;
// v2: a new column with an index (a default, since rows exist).
const V2 = V1.replace(
  '      title: { type: string, max: 100, required: true }\n',
  '      title: { type: string, max: 100, required: true }\n      rank: { type: int, default: 0, index: true }\n',
);
// v3: title dropped (destructive).
const V3 = V2.replace('      title: { type: string, max: 100, required: true }\n', '');

type Driver = 'sqlite' | 'mysql';

interface Fixture {
  dir: string;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
  writeSchema(text: string): void;
  migrate(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
}

const fixtures: Fixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.close();
});

async function fixture(driver: Driver): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sgm-'));
  for (const sub of ['routes', 'schema']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'jwt'), 'migrate-test-secret-0123456789abcdef01234567\n');
  let db: TestDatabase | undefined;
  let database: string;
  if (driver === 'mysql') {
    db = await createTestDatabase();
    database = `  driver: mysql\n  host: ${MARIADB.host}\n  port: ${MARIADB.port}\n  user: ${MARIADB.user}\n  password: "${MARIADB.password}"\n  name: ${db.name}`;
  } else database = '  driver: sqlite\n  file: app.db\n  create: true';
  writeFileSync(
    join(dir, 'routes', 'notes.yaml'),
    `app: notes\nhosts: [notes.test]\ndatabase:\n${database}\nauth:\n  jwt_secret_file: jwt\n`,
  );
  const f: Fixture = {
    dir,
    async rows(sql) {
      if (db) return db.rows(sql);
      const s = new Database(join(dir, 'app.db'), { readonly: true });
      try {
        return s.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        s.close();
      }
    },
    async exec(sql) {
      if (db) await db.exec(sql);
      else {
        const s = new Database(join(dir, 'app.db'));
        s.exec(sql);
        s.close();
      }
    },
    writeSchema: (text) => writeFileSync(join(dir, 'schema', 'notes.yaml'), text),
    async migrate(...args) {
      let out = '';
      let err = '';
      const code = await runMigrateCommand(['-config', dir, ...args], {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (err += t) },
      });
      return { code, out, err };
    },
    async close() {
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fixtures.push(f);
  return f;
}

const columnsOf = async (f: Fixture, driver: Driver, table: string) =>
  driver === 'sqlite'
    ? (await f.rows(`PRAGMA table_info(${table})`)).map((r) => r.name)
    : (
        await f.rows(
          `SELECT COLUMN_NAME name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
        )
      ).map((r) => r.name);

const indexesOf = async (f: Fixture, driver: Driver, table: string) =>
  driver === 'sqlite'
    ? (await f.rows(`PRAGMA index_list(${table})`)).map((r) => r.name)
    : (
        await f.rows(
          `SELECT DISTINCT INDEX_NAME name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${table}'`,
        )
      ).map((r) => r.name);

for (const driver of ['sqlite', 'mysql'] as const) {
  describe(`sogoms-schema migrate on ${driver === 'sqlite' ? 'SQLite' : 'MariaDB'}`, () => {
    it('adds a column and an index to a live table with rows, keeping the rows, and records each run', async () => {
      if (driver === 'mysql' && !(await mariadbAvailable())) return;
      const f = await fixture(driver);
      f.writeSchema(V1);
      expect(await f.migrate()).toMatchObject({ code: 0, err: '' });
      await f.exec("INSERT INTO users (email, password) VALUES ('a@example.com', 'x')");
      await f.exec("INSERT INTO notes (user_id, title) VALUES (1, 'first'), (1, 'second')");
      f.writeSchema(V2);
      const second = await f.migrate();
      expect(second).toMatchObject({ code: 0, err: '' });
      expect(second.out).toContain('notes: 2 statement(s) applied');
      expect(await columnsOf(f, driver, 'notes')).toEqual(['id', 'user_id', 'title', 'rank']);
      expect(await indexesOf(f, driver, 'notes')).toContain('idx_notes_rank');
      expect(await f.rows('SELECT title, `rank` FROM notes ORDER BY id')).toEqual([
        { title: 'first', rank: 0 },
        { title: 'second', rank: 0 },
      ]);
      expect((await f.migrate()).out).toBe('notes: up to date\n');
      expect(await f.rows('SELECT COUNT(*) AS n FROM sogoms_schema_migrations')).toEqual([{ n: 2 }]);
    }, 30_000);

    it('refuses a destructive change (a dropped column) unless --allow-destructive', async () => {
      if (driver === 'mysql' && !(await mariadbAvailable())) return;
      const f = await fixture(driver);
      f.writeSchema(V2);
      await f.migrate();
      await f.exec("INSERT INTO users (email, password) VALUES ('a@example.com', 'x')");
      await f.exec("INSERT INTO notes (user_id, title) VALUES (1, 'keep me')");
      f.writeSchema(V3);
      const refused = await f.migrate();
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('drop column notes.title (destructive: run with --allow-destructive)');
      expect(await f.rows('SELECT title FROM notes')).toEqual([{ title: 'keep me' }]);
      expect(await f.migrate('--allow-destructive')).toMatchObject({ code: 0, err: '' });
      expect(await columnsOf(f, driver, 'notes')).toEqual(['id', 'user_id', 'rank']);
    }, 30_000);

    it('--dry-run prints the SQL and changes nothing', async () => {
      if (driver === 'mysql' && !(await mariadbAvailable())) return;
      const f = await fixture(driver);
      f.writeSchema(V1);
      await f.migrate();
      f.writeSchema(V2);
      const dry = await f.migrate('--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.out).toContain('ALTER TABLE `notes` ADD COLUMN `rank`');
      expect(dry.out).toContain('CREATE INDEX');
      expect(await columnsOf(f, driver, 'notes')).toEqual(['id', 'user_id', 'title']);
      expect(await f.rows('SELECT COUNT(*) AS n FROM sogoms_schema_migrations')).toEqual([{ n: 1 }]);
    }, 30_000);
  });
}

describe('sogoms-schema migrate: configuration', () => {
  it('reports a bad schema with its file and key path, and changes nothing', async () => {
    const f = await fixture('sqlite');
    f.writeSchema(V1.replace('max: 100', 'max: "long"').replace('foreign: users.id', 'foreign: people.id'));
    const res = await f.migrate();
    expect(res.code).toBe(2);
    expect(res.err).toContain(
      'schema/notes.yaml: tables.notes.fields.title.max: expected a whole number of characters',
    );
    expect(res.err).toContain(
      'tables.notes.fields.user_id.foreign: no field id in a table people of this schema',
    );
  });

  it('sogoctl check (checkConfigTree) reports the same schema problems, and an unfiltered table must say so', () => {
    return fixture('sqlite').then((f) => {
      f.writeSchema(
        V1.replace('max: 100', 'max: "long"').replace(
          '      user_id: { type: int, foreign: users.id, filter: owner }\n',
          '',
        ),
      );
      const problems = checkConfigTree(f.dir).map((p) => `${p.path}: ${p.message}`);
      expect(problems).toContain('tables.notes.fields.title.max: expected a whole number of characters');
      expect(problems).toContain(
        'tables.notes.crud: has no owner: mark the column holding the user id `filter: owner`, or write `filter: none` to open every row to every logged-in user on purpose',
      );
    });
  });

  it('the embedded sessions tables are the statements of clients/migrations/001_sessions.*.sql', () => {
    for (const driver of ['mysql', 'sqlite'] as const) {
      const file = readFileSync(
        join(import.meta.dirname, '..', '..', '..', 'clients', 'migrations', `001_sessions.${driver}.sql`),
        'utf8',
      );
      const squash = (s: string) => s.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ');
      for (const statement of SESSIONS_SQL[driver]) expect(squash(file)).toContain(squash(statement).trim());
    }
  });
});
