// SQLite through better-sqlite3 (SPEC §6, `database.driver: sqlite`), loaded only when an app uses it: the
// bundle keeps it external and a MariaDB-only deployment never needs the native module to load.
// better-sqlite3 is synchronous, so a statement blocks the service while it runs; `query_timeout` bounds only
// the wait for a lock held by another connection (busy_timeout), answered as TIMEOUT.
// The file must exist unless `database.create` says otherwise, and a file deleted or replaced under the running
// service is noticed before the next statement and before a write is acknowledged (sqlite-file.ts).
import { realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DatabaseSettings } from '@sogoms/config';
import type BetterSqlite3 from 'better-sqlite3';
import { DriverUnavailableError, dbUnavailable } from '../errors.js';
import { firstKeyword } from '../single-statement.js';
import {
  checkpoint,
  type FileId,
  fileIdOf,
  fileLost,
  fileStateOf,
  walLost,
  walPathOf,
} from './sqlite-file.js';
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
  /** sqlite3_stmt_readonly: false for every statement that may write, INSERT ... RETURNING included. */
  readonly: boolean;
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

/** Something an operator must hear about (a file deleted or replaced under the service, a file created). */
export type DriverEventListener = (message: string) => void;

/** Creates the driver; the file is opened on first use, so a missing file or module shows in health. */
export function createSqliteDriver(settings: DatabaseSettings, onEvent?: DriverEventListener): Driver {
  if (!settings.file) throw new Error('database.file is required with driver: sqlite');
  return new SqliteDriver(settings.file, settings.queryTimeoutMs, settings.create ?? false, onEvent);
}

interface OpenedFiles {
  db: FileId;
  /** Undefined when no -wal file was there after open (journal_mode WAL refused by the file system). */
  wal: FileId | undefined;
}

class SqliteDriver implements Driver {
  readonly kind = 'sqlite' as const;
  private db: Database | undefined;
  private opened: OpenedFiles | undefined;
  private closed = false;
  private lastInsertId = 0;
  private readonly cache = new Map<string, CachedStatement>();

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
    private readonly create: boolean,
    private readonly onEvent: DriverEventListener = () => undefined,
  ) {}

  run(sql: string, args: readonly SqlArg[], first = false): Outcome {
    this.use();
    const entry = this.prepare(sql);
    const outcome = this.execute(entry, args, first);
    if (!entry.readonly) this.confirmWrite();
    return outcome;
  }

  transaction(statements: readonly Statement[]): Outcome[] {
    const db = this.use();
    // IMMEDIATE takes the write lock up front: with several sogoms-db processes on one file, a deferred
    // transaction that reads then writes could fail with SQLITE_BUSY without waiting on busy_timeout.
    const runAll = db.transaction(() =>
      statements.map((st) => this.execute(this.prepare(st.query), st.args, false)),
    );
    const outcomes = runAll.immediate();
    this.confirmWrite();
    return outcomes;
  }

  compile(sql: string): void {
    // Not through the statement cache: a check of every query of every app would keep thousands of compiled
    // statements alive (~90 MiB for 100 apps); this one is finalized with its object.
    this.use().prepare(sql);
  }

  async ping(): Promise<void> {
    // A file not opened yet is checked by its presence, not opened: health reaches every app, and opening a
    // hundred idle databases for it cost sogoms-db ~25 MiB and its first answer. A missing one opens (and
    // fails, or is created) as a statement would.
    if (!this.db && !this.closed && existsAsFile(this.file)) return;
    this.use().prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    // Statements are synchronous: none can be in flight while this runs.
    this.closed = true;
    this.release();
  }

  private execute(entry: CachedStatement, args: readonly SqlArg[], first: boolean): Outcome {
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

  /** The open handle, once the path is checked to still hold its file; opens the file when none is open. */
  private use(): Database {
    if (!this.db || !this.opened) return this.open();
    const state = fileStateOf(this.file, this.opened.db);
    if (state !== 'same') this.lose(state);
    return this.db;
  }

  /**
   * After a write, before it is acknowledged: the file must still be at its path, or the write is refused (it
   * went into a file nobody will open again). A -wal deleted alone is recovered: a checkpoint copies what it
   * holds into the database file, and the next statement reopens with a new -wal.
   */
  private confirmWrite(): void {
    const { db, opened } = this;
    if (!db || !opened) return;
    const state = fileStateOf(this.file, opened.db);
    if (state !== 'same') this.lose(state);
    if (!opened.wal || fileStateOf(walPathOf(this.file), opened.wal) === 'same') return;
    const saved = checkpoint(db);
    this.release();
    this.onEvent(
      saved
        ? 'the -wal file was deleted or replaced: its content was checkpointed into the database file'
        : 'the -wal file was deleted or replaced and could not be checkpointed: the last write is refused',
    );
    if (!saved) throw walLost();
  }

  /** The file at the path is gone or another one: close the handle and refuse the statement. */
  private lose(state: 'missing' | 'replaced'): never {
    const { db, opened } = this;
    // The frames still in our -wal belong to the old file: copy them into it and empty the -wal, so that a
    // file later put at the path does not replay them. (SQLite itself leaves a moved file's -wal alone on close.)
    if (db && opened?.wal && fileStateOf(walPathOf(this.file), opened.wal) === 'same') checkpoint(db);
    this.release();
    this.onEvent(`the database file was ${state === 'missing' ? 'deleted' : 'replaced'} under the service`);
    throw fileLost(state);
  }

  private release(): void {
    this.cache.clear();
    const db = this.db;
    this.db = undefined;
    this.opened = undefined;
    try {
      db?.close();
    } catch {
      // The handle is dropped either way; SQLite reports nothing that would help here.
    }
  }

  private open(): Database {
    if (this.closed) throw dbUnavailable();
    const Sqlite = loadBetterSqlite3();
    const existed = fileIdOf(this.file) !== undefined;
    if (!existed && !this.create) throw fileLost('missing');
    let db: Database;
    try {
      db = new Sqlite(this.file, { timeout: this.busyTimeoutMs, fileMustExist: !this.create });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_CANTOPEN' && !this.create && !fileIdOf(this.file)) throw fileLost('missing');
      // better-sqlite3 checks the folder itself and throws a TypeError without an SQLite code.
      if (code !== undefined) throw err;
      throw new DriverUnavailableError('SQLITE_CANTOPEN', `cannot open ${this.file}: ${String(err)}`);
    }
    let wal: boolean;
    try {
      wal = db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
      db.pragma('synchronous = NORMAL'); // durable at checkpoints; safe against corruption in WAL mode
      db.pragma('foreign_keys = ON');
      registerMysqlFunctions(db, () => this.lastInsertId);
      // A file just switched to WAL gets its -wal at the first read: read now, so that it can be recorded.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      db.close();
      throw err;
    }
    const dbId = fileIdOf(this.file);
    if (!dbId) {
      db.close();
      throw fileLost('missing');
    }
    this.opened = { db: dbId, wal: wal ? fileIdOf(walPathOf(this.file)) : undefined };
    this.db = db;
    if (!existed) this.onEvent('database.create: created a new empty database file');
    return db;
  }

  private prepare(sql: string): CachedStatement {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const stmt = (this.db ?? this.use()).prepare<unknown[], Row>(sql);
    const entry: CachedStatement = {
      stmt,
      reader: stmt.reader,
      readonly: stmt.readonly,
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

function existsAsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
