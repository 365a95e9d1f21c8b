// `sogoms-schema migrate` changing columns of a live table with rows (DOCTECH §2.8): a narrowing type change
// (string max 100 → 20, bigint → int, text → string) is refused without --allow-destructive and changes nothing;
// with it, it applies where the rows fit and the database refuses it where they do not; a widening change is
// applied without the flag; a foreign key added to an existing table is applied (SQLite: by rebuilding it).
// The rows are kept throughout; on SQLite and on MariaDB.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  MARIADB,
  mariadbAvailable,
  type TestDatabase,
} from '../../../tests/helpers/mariadb.js';
import { runMigrateCommand } from '../src/cli.js';

/** `text` with each [from, to] replaced; a `from` that is not there is a mistake in the test. */
function change(text: string, ...edits: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of edits) {
    if (!out.includes(from)) throw new Error(`not in the schema: ${from}`);
    out = out.replace(from, to);
  }
  return out;
}

const V1 = `tables:
  users:
    fields:
      id: { type: int, primary: true, auto: true }
      email: { type: email, unique: true, auth: login }
      password: { type: string, auth: password, hidden: true }
  projects:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      name: { type: string, required: true }
    crud: [list, show, create, update, delete]
  notes:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      title: { type: string, max: 100, required: true }
      views: { type: bigint, default: 0 }
      body: { type: text }
      project_id: { type: int }
    crud: [list, show, create, update, delete]
`;
const TITLE_100 = '      title: { type: string, max: 100, required: true }\n';
const TITLE_20 = '      title: { type: string, max: 20, required: true }\n';
const VIEWS_BIGINT = '      views: { type: bigint, default: 0 }\n';
const VIEWS_INT = '      views: { type: int, default: 0 }\n';
const BODY_TEXT = '      body: { type: text }\n';
const BODY_STRING = '      body: { type: string }\n';
const PROJECT = '      project_id: { type: int }\n';
const PROJECT_FK = '      project_id: { type: int, foreign: projects.id }\n';

/** The three narrowings at once. */
const NARROW = change(V1, [TITLE_100, TITLE_20], [VIEWS_BIGINT, VIEWS_INT], [BODY_TEXT, BODY_STRING]);
/** The starting point of the widening test: title 20 characters, views an int. */
const SMALL = change(V1, [TITLE_100, TITLE_20], [VIEWS_BIGINT, VIEWS_INT]);

const REFUSED = [
  'notes.title: string → string may not hold every value (destructive: run with --allow-destructive)',
  'notes.views: bigint → int may not hold every value (destructive: run with --allow-destructive)',
  'notes.body: text → string may not hold every value (destructive: run with --allow-destructive)',
];

type Driver = 'sqlite' | 'mysql';
type Row = Record<string, unknown>;

interface Fixture {
  driver: Driver;
  rows(sql: string): Promise<Row[]>;
  /** Runs statements (SQLite: with foreign keys enforced, as sogoms-db opens its connections). */
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
  const dir = mkdtempSync(join(tmpdir(), 'sgc-'));
  for (const sub of ['routes', 'schema']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'jwt'), 'migrate-changes-secret-0123456789abcdef012345\n');
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
    driver,
    async rows(sql) {
      if (db) return db.rows(sql);
      const s = new Database(join(dir, 'app.db'), { readonly: true });
      try {
        return s.prepare(sql).all() as Row[];
      } finally {
        s.close();
      }
    },
    async exec(sql) {
      if (db) await db.exec(sql);
      else {
        const s = new Database(join(dir, 'app.db'));
        try {
          s.pragma('foreign_keys = ON');
          s.exec(sql);
        } finally {
          s.close();
        }
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

/** A fixture migrated to `schema`, with a user, a project and `notes` rows (title, views, body, project_id). */
async function migratedWithRows(driver: Driver, schema: string, notes: string): Promise<Fixture> {
  const f = await fixture(driver);
  f.writeSchema(schema);
  expect(await f.migrate()).toMatchObject({ code: 0, err: '' });
  await f.exec("INSERT INTO users (email, password) VALUES ('a@example.com', 'x')");
  await f.exec("INSERT INTO projects (user_id, name) VALUES (1, 'first'), (1, 'second')");
  await f.exec(`INSERT INTO notes (user_id, title, views, body, project_id) VALUES ${notes}`);
  return f;
}

const NOTES = 'SELECT id, title, views, body, project_id FROM notes ORDER BY id';

/** What the database says of the notes table: its CREATE statement (SQLite) or its column types (MariaDB). */
async function definition(f: Fixture): Promise<unknown> {
  if (f.driver === 'sqlite')
    return (await f.rows("SELECT sql FROM sqlite_master WHERE name = 'notes'"))[0]?.sql;
  return f.rows(
    "SELECT COLUMN_NAME name, COLUMN_TYPE type, IS_NULLABLE nullable, COLUMN_DEFAULT dflt FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' ORDER BY ORDINAL_POSITION",
  );
}

/** Column → type as the database reports it (MariaDB COLUMN_TYPE; SQLite the column's CHECKs from its SQL). */
async function columnTypes(f: Fixture): Promise<Record<string, string>> {
  if (f.driver === 'mysql')
    return Object.fromEntries(
      ((await definition(f)) as Row[]).map((r) => [String(r.name), String(r.type).toUpperCase()]),
    );
  const sql = String(await definition(f));
  return Object.fromEntries(
    sql
      .split('\n')
      .map((line) => /^ {2}`([a-z_]+)` (.*?),?$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

const migrations = (f: Fixture) =>
  f.rows('SELECT id, statements, snapshot FROM sogoms_schema_migrations ORDER BY id');

/** The foreign keys of notes, as [column, referenced table, referenced column, on delete]. */
async function foreignKeys(f: Fixture): Promise<string[][]> {
  const rows =
    f.driver === 'sqlite'
      ? (await f.rows('PRAGMA foreign_key_list(notes)')).map((r) => [r.from, r.table, r.to, r.on_delete])
      : (
          await f.rows(
            `SELECT k.COLUMN_NAME c, k.REFERENCED_TABLE_NAME t, k.REFERENCED_COLUMN_NAME rc, r.DELETE_RULE d
             FROM information_schema.KEY_COLUMN_USAGE k
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r
               ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
             WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = 'notes' AND k.REFERENCED_TABLE_NAME IS NOT NULL`,
          )
        ).map((r) => [r.c, r.t, r.rc, r.d]);
  return rows.map((r) => r.map(String)).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A failed statement's error, or undefined when it ran. */
async function failure(run: Promise<unknown>): Promise<string | undefined> {
  try {
    await run;
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const LONG_TITLE = 'a title longer than twenty characters';

for (const driver of ['sqlite', 'mysql'] as const) {
  const skip = async () => driver === 'mysql' && !(await mariadbAvailable());

  describe(`sogoms-schema migrate: type changes and foreign keys on ${driver === 'sqlite' ? 'SQLite' : 'MariaDB'}`, () => {
    it('refuses narrowing type changes (string max 100 → 20, bigint → int, text → string) without --allow-destructive: exit 1, nothing changes', async () => {
      if (await skip()) return;
      const f = await migratedWithRows(
        driver,
        V1,
        `(1, '${LONG_TITLE}', 3000000000, '${'b'.repeat(300)}', 1), (1, 'short', 5, 'b', NULL)`,
      );
      const rowsBefore = await f.rows(NOTES);
      const definitionBefore = await definition(f);
      const migrationsBefore = await migrations(f);
      expect(migrationsBefore).toHaveLength(1);

      f.writeSchema(NARROW);
      for (const args of [[], ['--dry-run']]) {
        const refused = await f.migrate(...args);
        expect(refused.code).toBe(1);
        expect(refused.err).toBe(
          `notes: refused, nothing changed:\n${REFUSED.map((r) => `  ${r}\n`).join('')}`,
        );
      }
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      expect(await definition(f)).toEqual(definitionBefore);
      expect(await migrations(f)).toEqual(migrationsBefore);

      // Each narrowing alone is refused too.
      for (const [from, to, line] of [
        [TITLE_100, TITLE_20, REFUSED[0]],
        [VIEWS_BIGINT, VIEWS_INT, REFUSED[1]],
        [BODY_TEXT, BODY_STRING, REFUSED[2]],
      ] as const) {
        f.writeSchema(change(V1, [from, to]));
        const refused = await f.migrate();
        expect(refused).toMatchObject({ code: 1, err: `notes: refused, nothing changed:\n  ${line}\n` });
      }
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      expect(await definition(f)).toEqual(definitionBefore);
      expect(await migrations(f)).toEqual(migrationsBefore);

      // Back to the schema applied: up to date.
      f.writeSchema(V1);
      expect(await f.migrate()).toEqual({ code: 0, out: 'notes: up to date\n', err: '' });
    }, 60_000);

    it('with --allow-destructive applies the narrowing changes when every row fits, keeping the rows', async () => {
      if (await skip()) return;
      const f = await migratedWithRows(
        driver,
        V1,
        "(1, 'short', 5, 'body', 1), (1, 'also short', 7, NULL, NULL)",
      );
      const rowsBefore = await f.rows(NOTES);
      f.writeSchema(NARROW);
      const applied = await f.migrate('--allow-destructive');
      expect(applied).toMatchObject({ code: 0, err: '' });
      expect(applied.out).toMatch(/^notes: \d+ statement\(s\) applied\n$/);
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      const types = await columnTypes(f);
      if (driver === 'mysql')
        expect(types).toMatchObject({ title: 'VARCHAR(20)', views: 'INT(11)', body: 'VARCHAR(255)' });
      else {
        expect(types.title).toContain('CHECK (length(`title`) <= 20)');
        expect(types.views).toContain('CHECK (`views` BETWEEN -2147483648 AND 2147483647)');
        expect(types.body).toContain('CHECK (length(`body`) <= 255)');
        expect(types.body).not.toContain('octet_length');
      }
      expect(await migrations(f)).toHaveLength(2);
      // The narrower column is what the database now enforces.
      expect(
        await failure(f.exec(`INSERT INTO notes (user_id, title) VALUES (1, '${LONG_TITLE}')`)),
      ).toBeDefined();
      expect(await f.migrate()).toEqual({ code: 0, out: 'notes: up to date\n', err: '' });
    }, 60_000);

    it('with --allow-destructive, rows that do not fit make the database refuse: exit 1, table and rows as they were, and a later run applies once they fit', async () => {
      if (await skip()) return;
      const f = await migratedWithRows(
        driver,
        V1,
        `(1, '${LONG_TITLE}', 5, 'b', NULL), (1, 'short', 6, NULL, NULL)`,
      );
      const rowsBefore = await f.rows(NOTES);
      const definitionBefore = await definition(f);
      const migrationsBefore = await migrations(f);
      f.writeSchema(change(V1, [TITLE_100, TITLE_20]));
      const failed = await f.migrate('--allow-destructive');
      expect(failed.code).toBe(1);
      expect(failed.err).toMatch(/^notes: migration failed: /);
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      expect(await definition(f)).toEqual(definitionBefore);
      expect(await migrations(f)).toEqual(migrationsBefore);
      const tables = (
        driver === 'sqlite'
          ? await f.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
          : await f.rows(
              'SELECT TABLE_NAME name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME',
            )
      ).map((r) => r.name);
      expect(tables.filter((t) => String(t).startsWith('_sogoms'))).toEqual([]);

      // The operator shortens the row: the same command now applies.
      await f.exec("UPDATE notes SET title = 'shortened' WHERE id = 1");
      expect(await f.migrate('--allow-destructive')).toMatchObject({ code: 0, err: '' });
      expect((await f.rows(NOTES)).map((r) => r.title)).toEqual(['shortened', 'short']);
      expect(await migrations(f)).toHaveLength(2);
    }, 60_000);

    it('applies a widening change (string max 20 → 100, int → bigint) without --allow-destructive, keeping the rows', async () => {
      if (await skip()) return;
      const f = await migratedWithRows(
        driver,
        SMALL,
        "(1, 'twenty characters!!', 2147483647, 'b', 1), (1, 'x', -5, NULL, NULL)",
      );
      const rowsBefore = await f.rows(NOTES);
      expect(
        await failure(f.exec(`INSERT INTO notes (user_id, title) VALUES (1, '${LONG_TITLE}')`)),
      ).toBeDefined();

      f.writeSchema(V1);
      const applied = await f.migrate();
      expect(applied).toMatchObject({ code: 0, err: '' });
      expect(applied.out).toMatch(/^notes: \d+ statement\(s\) applied\n$/);
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      const types = await columnTypes(f);
      if (driver === 'mysql') expect(types).toMatchObject({ title: 'VARCHAR(100)', views: 'BIGINT(20)' });
      else {
        expect(types.title).toContain('CHECK (length(`title`) <= 100)');
        expect(types.views).not.toContain('CHECK');
      }
      expect(await migrations(f)).toHaveLength(2);
      // What the old columns refused now fits.
      await f.exec(`INSERT INTO notes (user_id, title, views) VALUES (1, '${LONG_TITLE}', 3000000000)`);
      expect((await f.rows('SELECT title, views FROM notes WHERE id = 3'))[0]).toEqual({
        title: LONG_TITLE,
        views: 3_000_000_000,
      });
      expect(await f.migrate()).toEqual({ code: 0, out: 'notes: up to date\n', err: '' });
    }, 60_000);

    it('adds a foreign key (foreign: projects.id) to an existing column of a table with rows, keeping the rows', async () => {
      if (await skip()) return;
      const f = await migratedWithRows(
        driver,
        V1,
        "(1, 'one', 1, 'b', 1), (1, 'two', 2, NULL, 2), (1, 'three', 3, NULL, NULL)",
      );
      const rowsBefore = await f.rows(NOTES);
      expect(await foreignKeys(f)).toEqual([['user_id', 'users', 'id', 'CASCADE']]);

      f.writeSchema(change(V1, [PROJECT, PROJECT_FK]));
      const applied = await f.migrate();
      expect(applied).toMatchObject({ code: 0, err: '' });
      expect(applied.out).toMatch(/^notes: \d+ statement\(s\) applied\n$/);
      expect(await foreignKeys(f)).toEqual([
        ['project_id', 'projects', 'id', 'CASCADE'],
        ['user_id', 'users', 'id', 'CASCADE'],
      ]);
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      expect(await migrations(f)).toHaveLength(2);
      expect(await f.migrate()).toEqual({ code: 0, out: 'notes: up to date\n', err: '' });

      // Enforced: a note of a missing project is refused, deleting a project deletes its notes (cascade).
      expect(
        await failure(f.exec("INSERT INTO notes (user_id, title, project_id) VALUES (1, 'x', 99)")),
      ).toBeDefined();
      await f.exec('DELETE FROM projects WHERE id = 2');
      expect((await f.rows(NOTES)).map((r) => r.title)).toEqual(['one', 'three']);
    }, 60_000);

    it('adds a new column with a foreign key to a table with rows, keeping the rows', async () => {
      if (await skip()) return;
      const f = await migratedWithRows(driver, V1, "(1, 'one', 1, 'b', 1), (1, 'two', 2, NULL, NULL)");
      const rowsBefore = await f.rows(NOTES);
      f.writeSchema(
        change(V1, [
          PROJECT,
          `${PROJECT}      parent_id: { type: int, foreign: projects.id, on_delete: set null }\n`,
        ]),
      );
      expect(await f.migrate()).toMatchObject({ code: 0, err: '' });
      expect(await foreignKeys(f)).toEqual([
        ['parent_id', 'projects', 'id', 'SET NULL'],
        ['user_id', 'users', 'id', 'CASCADE'],
      ]);
      expect(await f.rows(NOTES)).toEqual(rowsBefore);
      expect(await f.rows('SELECT parent_id FROM notes ORDER BY id')).toEqual([
        { parent_id: null },
        { parent_id: null },
      ]);
      expect(await f.migrate()).toEqual({ code: 0, out: 'notes: up to date\n', err: '' });
    }, 60_000);
  });
}
