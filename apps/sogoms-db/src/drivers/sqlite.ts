// SQLite through better-sqlite3 (SPEC §6, `database.driver: sqlite`), loaded only when an app uses it: the
// bundle keeps it external and a MariaDB-only deployment never needs the native module to load.
// better-sqlite3 is synchronous, so a statement blocks the service while it runs; `query_timeout` bounds only
// the wait for a lock held by another connection (busy_timeout), answered as TIMEOUT.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DatabaseSettings } from '@sogoms/config';
import type BetterSqlite3 from 'better-sqlite3';
import { DriverUnavailableError, dbUnavailable } from '../errors.js';
import { firstKeyword } from '../single-statement.js';
import { registerMysqlFunctions } from './sqlite-functions.js';
import type { Driver, Outcome, Row, SqlArg, Statement } from './types.js';

/** Prepared statements kept per database; past it the oldest is dropped (it is re-prepared if used again). */
export const STATEMENT_CACHE_SIZE = 500;

type Database = BetterSqlite3.Database;
type Prepared = BetterSqlite3.Statement<unknown[], Row>;
type BoundArg = string | number | null;

interface CachedStatement {
  stmt: Prepared;
  reader: boolean;
  /** INSERT/REPLACE: only these report an insert id, as on MariaDB (0 for UPDATE/DELETE). */
  inserts: boolean;
}

const INSERTS = new Set(['insert', 'replace']);

let loaded: typeof BetterSqlite3 | undefined;

function loadBetterSqlite3(): typeof BetterSqlite3 {
  if (loaded) return loaded;
  try {
    // Loaded by its real path: under a loader that keeps symlinked paths (pnpm links every package), the
    // module's own require('bindings') would otherwise look beside the link instead of in pnpm's store.
    const require = createRequire(import.meta.url);
    loaded = require(realpathSync(require.resolve('better-sqlite3'))) as typeof BetterSqlite3;
  } catch (err) {
    throw new DriverUnavailableError('DRIVER_LOAD_FAILED', `better-sqlite3 did not load: ${String(err)}`);
  }
  return loaded;
}

/** Creates the driver; the file is opened on first use, so a missing file or module shows in health. */
export function createSqliteDriver(settings: DatabaseSettings): Driver {
  if (!settings.file) throw new Error('database.file is required with driver: sqlite');
  return new SqliteDriver(settings.file, settings.queryTimeoutMs);
}

class SqliteDriver implements Driver {
  readonly kind = 'sqlite' as const;
  private db: Database | undefined;
  private closed = false;
  private lastInsertId = 0;
  private readonly cache = new Map<string, CachedStatement>();

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  run(sql: string, args: readonly SqlArg[], first = false): Outcome {
    const entry = this.prepare(sql);
    const bound = bindable(args);
    if (entry.reader) {
      if (!first) return entry.stmt.all(...bound);
      const row = entry.stmt.get(...bound);
      return row === undefined ? [] : [row];
    }
    const info = entry.stmt.run(...bound);
    this.lastInsertId = Number(info.lastInsertRowid);
    return { insert_id: entry.inserts ? this.lastInsertId : 0, affected_rows: info.changes };
  }

  transaction(statements: readonly Statement[]): Outcome[] {
    const db = this.open();
    // IMMEDIATE takes the write lock up front: with several sogoms-db processes on one file, a deferred
    // transaction that reads then writes could fail with SQLITE_BUSY without waiting on busy_timeout.
    const runAll = db.transaction(() => statements.map((st) => this.run(st.query, st.args)));
    return runAll.immediate();
  }

  async ping(): Promise<void> {
    this.open().prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    // Statements are synchronous: none can be in flight while this runs.
    this.closed = true;
    this.cache.clear();
    this.db?.close();
    this.db = undefined;
  }

  private open(): Database {
    if (this.db) return this.db;
    if (this.closed) throw dbUnavailable();
    const Sqlite = loadBetterSqlite3();
    let db: Database;
    try {
      db = new Sqlite(this.file, { timeout: this.busyTimeoutMs });
    } catch (err) {
      // better-sqlite3 checks the folder itself and throws a TypeError without an SQLite code.
      if ((err as { code?: unknown }).code !== undefined) throw err;
      throw new DriverUnavailableError('SQLITE_CANTOPEN', `cannot open ${this.file}: ${String(err)}`);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // durable at checkpoints; safe against corruption in WAL mode
      db.pragma('foreign_keys = ON');
      registerMysqlFunctions(db, () => this.lastInsertId);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    return db;
  }

  private prepare(sql: string): CachedStatement {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const stmt = this.open().prepare<unknown[], Row>(sql);
    const entry: CachedStatement = {
      stmt,
      reader: stmt.reader,
      inserts: INSERTS.has(firstKeyword(sql) ?? ''),
    };
    if (this.cache.size >= STATEMENT_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(sql, entry);
    return entry;
  }
}

/** better-sqlite3 refuses booleans; MariaDB stores them as 1/0, so do the same. */
function bindable(args: readonly SqlArg[]): BoundArg[] {
  let copy: BoundArg[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'boolean') {
      copy ??= args.slice() as BoundArg[];
      copy[i] = a ? 1 : 0;
    }
  }
  return copy ?? (args as BoundArg[]);
}
