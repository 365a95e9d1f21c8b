// A direct connection to an app's database for migrations (mysql2 or better-sqlite3): DDL is run by the operator's
// tool, not through sogoms-db, whose pools serve requests and refuse multi-statement or schema work. And what the
// migration planner needs to know of the live database: its tables, columns, indexes and foreign keys.
import { createRequire } from 'node:module';
import type { DatabaseSettings } from '@sogoms/config';
import mysql from 'mysql2/promise';
import type { Driver } from './ddl.js';

export type Row = Record<string, unknown>;

export interface MigrationDb {
  driver: Driver;
  all(sql: string, args?: unknown[]): Promise<Row[]>;
  run(sql: string, args?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

export interface LiveIndex {
  name: string;
  unique: boolean;
  columns: string[];
}

export interface LiveTable {
  columns: Set<string>;
  indexes: LiveIndex[];
  /** Columns that carry a foreign key. */
  foreign: Set<string>;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** Opens the database of `settings`; a SQLite file is created when missing (migrating it is creating it). */
export async function openDatabase(settings: DatabaseSettings): Promise<MigrationDb> {
  if (settings.driver === 'sqlite') {
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(settings.file!);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    return {
      driver: 'sqlite',
      all: async (sql, args = []) => db.prepare(sql).all(...(args as never[])) as Row[],
      run: async (sql, args = []) => {
        if (args.length === 0) db.exec(sql);
        else db.prepare(sql).run(...(args as never[]));
      },
      close: async () => {
        db.close();
      },
    };
  }
  const conn = await mysql.createConnection({
    host: settings.host,
    port: settings.port,
    ...(settings.socket ? { socketPath: settings.socket } : {}),
    user: settings.user,
    password: settings.password,
    database: settings.name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    dateStrings: true,
  });
  return {
    driver: 'mysql',
    all: async (sql, args = []) => (await conn.query(sql, args))[0] as Row[],
    run: async (sql, args = []) => {
      await conn.query(sql, args);
    },
    close: () => conn.end(),
  };
}

/** Every table of the database, with what the planner compares. */
export async function liveTables(db: MigrationDb): Promise<Map<string, LiveTable>> {
  const tables = new Map<string, LiveTable>();
  if (db.driver === 'sqlite') {
    const names = await db.all(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    );
    for (const { name } of names as { name: string }[]) {
      const columns = new Set(
        (await db.all(`PRAGMA table_info(${JSON.stringify(name)})`)).map((r) => String(r.name)),
      );
      const indexes: LiveIndex[] = [];
      for (const ix of await db.all(`PRAGMA index_list(${JSON.stringify(name)})`)) {
        if (ix.origin === 'pk') continue;
        const cols = await db.all(`PRAGMA index_info(${JSON.stringify(String(ix.name))})`);
        indexes.push({
          name: String(ix.name),
          unique: ix.unique === 1,
          columns: cols.map((c) => String(c.name)),
        });
      }
      const foreign = new Set(
        (await db.all(`PRAGMA foreign_key_list(${JSON.stringify(name)})`)).map((r) => String(r.from)),
      );
      tables.set(name, { columns, indexes, foreign });
    }
    return tables;
  }
  const columns = await db.all(
    'SELECT TABLE_NAME t, COLUMN_NAME c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY ORDINAL_POSITION',
  );
  for (const r of columns) {
    const t = String(r.t);
    if (!tables.has(t)) tables.set(t, { columns: new Set(), indexes: [], foreign: new Set() });
    tables.get(t)!.columns.add(String(r.c));
  }
  const stats = await db.all(
    "SELECT TABLE_NAME t, INDEX_NAME i, NON_UNIQUE nu, COLUMN_NAME c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
  );
  for (const r of stats) {
    const table = tables.get(String(r.t));
    if (!table) continue;
    let ix = table.indexes.find((x) => x.name === String(r.i));
    if (!ix) {
      ix = { name: String(r.i), unique: Number(r.nu) === 0, columns: [] };
      table.indexes.push(ix);
    }
    ix.columns.push(String(r.c));
  }
  const fks = await db.all(
    'SELECT TABLE_NAME t, COLUMN_NAME c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL',
  );
  for (const r of fks) tables.get(String(r.t))?.foreign.add(String(r.c));
  return tables;
}
