// `migrate`: compares an app's schema with its live database (and with the schema last applied, recorded in
// sogoms_schema_migrations) and brings the database to it: new tables, columns, indexes and foreign keys are
// applied; a drop or a narrowing type change is refused unless allowDestructive. A dry run only returns the SQL.
import type { AppSchema, SchemaField, SchemaTable } from '@sogoms/config';
import { type LiveTable, liveTables, type MigrationDb } from './database.js';
import {
  addColumnSql,
  addForeignKeySql,
  columnSql,
  createIndexSql,
  createTableSql,
  type Driver,
  q,
  sqliteTableExtras,
} from './ddl.js';
import { SESSION_TABLES, SESSIONS_SQL } from './sessions.js';

export const MIGRATIONS_TABLE = 'sogoms_schema_migrations';

export interface MigrateOptions {
  dryRun?: boolean;
  allowDestructive?: boolean;
}

export interface MigrationResult {
  app: string;
  /** The statements run (or, in a dry run, that would run), in order. */
  statements: string[];
  /** Destructive changes left out (without allowDestructive) or impossible ones: nothing ran when non-empty. */
  refused: string[];
  applied: boolean;
}

interface Snapshot {
  tables: readonly SchemaTable[];
}

const MIGRATIONS_SQL: Record<Driver, string> = {
  mysql: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  app VARCHAR(64) NOT NULL,
  applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  statements MEDIUMTEXT NOT NULL,
  snapshot MEDIUMTEXT NOT NULL,
  PRIMARY KEY (id),
  KEY idx_${MIGRATIONS_TABLE}_app (app, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  sqlite: `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  app TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  statements TEXT NOT NULL,
  snapshot TEXT NOT NULL
) STRICT`,
};

/** Plans, and unless refused or a dry run, applies and records the migration of one app. */
export async function migrate(
  db: MigrationDb,
  app: string,
  schema: AppSchema,
  opts: MigrateOptions = {},
): Promise<MigrationResult> {
  const live = await liveTables(db);
  const previous = live.has(MIGRATIONS_TABLE) ? await lastSnapshot(db, app) : undefined;
  const { statements, refused } = planMigration(db.driver, schema, live, previous, opts);
  const snapshotText = JSON.stringify({ tables: schema.tables } satisfies Snapshot);
  const changed = previous === undefined || JSON.stringify(previous) !== snapshotText;
  if (opts.dryRun || refused.length > 0 || (statements.length === 0 && !changed))
    return { app, statements, refused, applied: false };
  const record = async () => {
    await db.run(MIGRATIONS_SQL[db.driver]);
    await db.run(`INSERT INTO ${MIGRATIONS_TABLE} (app, statements, snapshot) VALUES (?, ?, ?)`, [
      app,
      JSON.stringify(statements),
      snapshotText,
    ]);
  };
  if (db.driver === 'sqlite') await applySqlite(db, statements, record);
  else {
    // MariaDB commits each DDL statement on its own: a failing one leaves the earlier ones applied and nothing
    // recorded; the next run plans again from the live database (repeating a type change is harmless).
    for (const sql of statements) await db.run(sql);
    await record();
  }
  return { app, statements, refused, applied: true };
}

const FOREIGN_KEYS_PRAGMA = /^PRAGMA foreign_keys\b/i;

/**
 * SQLite runs DDL in transactions: the whole migration and its record commit together or not at all (a row that
 * does not fit a rebuilt table leaves the table, its rows and the record as they were). Foreign keys are
 * switched off around the transaction (the pragma is ignored inside one) and checked before the commit.
 */
async function applySqlite(
  db: MigrationDb,
  statements: string[],
  record: () => Promise<void>,
): Promise<void> {
  await db.run('PRAGMA foreign_keys = OFF');
  try {
    await db.run('BEGIN IMMEDIATE');
    try {
      for (const sql of statements) if (!FOREIGN_KEYS_PRAGMA.test(sql)) await db.run(sql);
      const broken = await db.all('PRAGMA foreign_key_check');
      if (broken.length > 0)
        throw new Error(
          `a row of ${String(broken[0]!.table)} names a ${String(broken[0]!.parent)} that does not exist`,
        );
      await record();
      await db.run('COMMIT');
    } catch (err) {
      await db.run('ROLLBACK');
      throw err;
    }
  } finally {
    await db.run('PRAGMA foreign_keys = ON');
  }
}

async function lastSnapshot(db: MigrationDb, app: string): Promise<Snapshot | undefined> {
  const rows = await db.all(
    `SELECT snapshot FROM ${MIGRATIONS_TABLE} WHERE app = ? ORDER BY id DESC LIMIT 1`,
    [app],
  );
  const text = rows[0]?.snapshot;
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as Snapshot;
  } catch {
    return undefined;
  }
}

/** The statements that bring `live` to `schema`, and the changes refused. Pure: tests call it directly. */
export function planMigration(
  driver: Driver,
  schema: AppSchema,
  live: ReadonlyMap<string, LiveTable>,
  previous: Snapshot | undefined,
  opts: MigrateOptions = {},
): { statements: string[]; refused: string[] } {
  const statements: string[] = [];
  const refused: string[] = [];
  const destructive = (what: string, sql: string[]) => {
    if (opts.allowDestructive) statements.push(...sql);
    else refused.push(`${what} (destructive: run with --allow-destructive)`);
  };
  for (const table of schema.tables) {
    const current = live.get(table.name);
    if (!current) {
      statements.push(...createTableSql(driver, table));
      if (driver === 'sqlite') statements.push(...sqliteTableExtras(table));
      continue;
    }
    const before = previous?.tables.find((t) => t.name === table.name);
    let rebuild = false;
    const later: string[] = [];
    for (const f of table.fields) {
      if (!current.columns.has(f.name)) {
        const problem = addProblem(driver, f);
        if (problem) refused.push(`${table.name}.${f.name}: ${problem}`);
        else later.push(...addColumnSql(driver, table, f));
        continue;
      }
      const old = before?.fields.find((c) => c.name === f.name);
      if (old && columnSql(driver, before!, old) !== columnSql(driver, table, f)) {
        const change = () =>
          driver === 'mysql'
            ? [`ALTER TABLE ${q(table.name)} MODIFY COLUMN ${columnSql(driver, table, f)}`]
            : [];
        if (widening(old, f)) later.push(...change());
        else
          destructive(`${table.name}.${f.name}: ${old.type} → ${f.type} may not hold every value`, change());
        if (driver === 'sqlite' && (widening(old, f) || opts.allowDestructive)) rebuild = true;
      }
      if (f.foreign && !current.foreign.has(f.name)) {
        if (driver === 'mysql') later.push(addForeignKeySql(table, f));
        else rebuild = true;
      }
    }
    for (const column of current.columns) {
      if (table.fields.some((f) => f.name === column)) continue;
      const sql = [`ALTER TABLE ${q(table.name)} DROP COLUMN ${q(column)}`];
      if (driver === 'sqlite')
        for (const ix of current.indexes.filter((x) => x.columns.includes(column)))
          sql.unshift(`DROP INDEX IF EXISTS ${q(ix.name)}`);
      if (driver === 'sqlite' && current.foreign.has(column)) {
        if (opts.allowDestructive) rebuild = true;
        else destructive(`drop column ${table.name}.${column}`, []);
      } else destructive(`drop column ${table.name}.${column}`, sql);
    }
    if (rebuild) {
      statements.push(...rebuildSqlite(table, current));
      continue;
    }
    statements.push(...later);
    for (const ix of table.indexes) {
      const same = current.indexes.some(
        (x) => x.unique === ix.unique && x.columns.join(',') === ix.columns.join(','),
      );
      if (!same) statements.push(createIndexSql(driver, table.name, ix));
    }
    for (const ix of before?.indexes ?? []) {
      if (table.indexes.some((x) => x.name === ix.name)) continue;
      if (current.indexes.some((x) => x.name === ix.name))
        statements.push(
          driver === 'mysql'
            ? `DROP INDEX ${q(ix.name)} ON ${q(table.name)}`
            : `DROP INDEX IF EXISTS ${q(ix.name)}`,
        );
    }
  }
  for (const old of previous?.tables ?? []) {
    if (schema.tables.some((t) => t.name === old.name) || !live.has(old.name)) continue;
    destructive(`drop table ${old.name}`, [`DROP TABLE ${q(old.name)}`]);
  }
  if (schema.tables.some((t) => t.fields.some((f) => f.auth)) && SESSION_TABLES.some((t) => !live.has(t)))
    statements.push(...SESSIONS_SQL[driver]);
  return { statements, refused };
}

/** Why a column cannot be added to a table that may hold rows, or undefined. */
function addProblem(driver: Driver, f: SchemaField): string | undefined {
  if (!f.nullable && f.default === undefined)
    return 'a new required column needs a default (the existing rows need a value)';
  if (driver === 'sqlite' && f.default === 'now')
    return 'SQLite cannot add a column whose default is the current time to an existing table';
  if (f.primary) return 'a primary key cannot be added to an existing table';
  return undefined;
}

/** Whether every value the old column holds fits the new one. */
export function widening(old: SchemaField, next: SchemaField): boolean {
  if (old.nullable && !next.nullable) return false;
  const ints = ['int', 'bigint'];
  const strings = ['string', 'email', 'enum'];
  if (ints.includes(old.type) && ints.includes(next.type)) {
    if (old.type === 'bigint' && next.type === 'int') return false;
    return (
      (next.min ?? -Infinity) <= (old.min ?? -Infinity) && (next.max ?? Infinity) >= (old.max ?? Infinity)
    );
  }
  if (old.type === next.type && old.type === 'enum')
    return (old.values ?? []).every((v) => next.values?.includes(v));
  if (old.type === next.type && old.type === 'decimal')
    return (
      next.scale! >= old.scale! &&
      next.precision! - next.scale! >= old.precision! - old.scale! &&
      (next.min ?? -Infinity) <= (old.min ?? -Infinity) &&
      (next.max ?? Infinity) >= (old.max ?? Infinity)
    );
  if (strings.includes(old.type) && (next.type === 'string' || next.type === 'text'))
    return next.type === 'text' || (next.max ?? Infinity) >= (old.max ?? Infinity);
  if (old.type === next.type && (old.type === 'text' || old.type === 'email'))
    return (next.max ?? Infinity) >= (old.max ?? Infinity);
  return old.type === next.type && !next.pattern;
}

/**
 * SQLite cannot change a column or add a foreign key in place: the table is rebuilt (the documented 12 steps,
 * without the schema_version tricks): a new table, the rows copied, the old dropped, the new renamed.
 */
function rebuildSqlite(table: SchemaTable, current: LiveTable): string[] {
  const tmp = `_sogoms_new_${table.name}`;
  const common = table.fields.filter((f) => current.columns.has(f.name)).map((f) => q(f.name));
  return [
    'PRAGMA foreign_keys = OFF',
    ...createTableSql('sqlite', table, tmp),
    `INSERT INTO ${q(tmp)} (${common.join(', ')}) SELECT ${common.join(', ')} FROM ${q(table.name)}`,
    `DROP TABLE ${q(table.name)}`,
    `ALTER TABLE ${q(tmp)} RENAME TO ${q(table.name)}`,
    ...sqliteTableExtras(table),
    'PRAGMA foreign_keys = ON',
  ];
}
