// MariaDB/MySQL through a mysql2 pool, one per app (SPEC §6).
// Statements go through `query` (text protocol, arguments escaped by mysql2), not `execute` (prepared
// statements): measured on a 50-row list, the binary protocol cost sogoms-db ~65% more CPU per request
// (mysql2 rebuilds every DATETIME string from binary fields) against ~10% less in MariaDB for skipping the
// parse. The text protocol also has no `LIMIT ?` typing quirk and no server-side statement count to bound.
// The callback API is used under a thin promise of our own: mysql2/promise captures a stack trace on every
// call, another measurable share of the CPU under load.
import type { DatabaseSettings } from '@sogoms/config';
import mysql, { type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2';
import { dbTimeout } from '../errors.js';
import type { Driver, Outcome, Row, SqlArg, Statement } from './types.js';

/** Establishing a connection; a dead host must surface as DB_UNAVAILABLE, not hang a request. */
export const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Every connection: NOW() and CURRENT_TIMESTAMP in UTC, like SQLite's CURRENT_TIMESTAMP and the container's
 * clock; and never NO_BACKSLASH_ESCAPES, which mysql2's escaping of arguments relies on.
 */
const SESSION_SETUP =
  "SET time_zone = '+00:00', sql_mode = TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";
/** How long close() waits for statements in flight (each is bounded by the query timeout anyway). */
const CLOSE_GRACE_MS = 1_000;

/** Creates the pool lazily connecting to the app's database; no connection is made before the first call. */
export function createMysqlDriver(settings: DatabaseSettings): Driver {
  const pool = mysql.createPool({
    ...(settings.socket ? { socketPath: settings.socket } : { host: settings.host, port: settings.port }),
    user: settings.user,
    password: settings.password,
    database: settings.name,
    connectionLimit: settings.pool,
    maxIdle: settings.pool,
    charset: 'UTF8MB4_UNICODE_CI',
    // Dates stay the server's text ("YYYY-MM-DD HH:MM:SS", DATE "YYYY-MM-DD"): no Date objects, no per-row
    // transform, and the same strings as SQLite's TEXT dates.
    dateStrings: true,
    timezone: 'Z',
    // BIGINT (COUNT(*), ids) and DECIMAL (SUM) as JS numbers, as SQLite gives them.
    supportBigNumbers: false,
    bigNumberStrings: false,
    decimalNumbers: true,
    multipleStatements: false,
    // FOUND_ROWS (a default flag, kept): UPDATE reports matched rows, like SQLite's changes(). No LOAD DATA
    // LOCAL INFILE.
    flags: ['-LOCAL_FILES'],
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableKeepAlive: true,
  });
  return new MysqlDriver(pool, settings.queryTimeoutMs);
}

class MysqlDriver implements Driver {
  readonly kind = 'mysql' as const;
  private active = 0;
  private idle: (() => void) | undefined;
  /** Connections that ran SESSION_SETUP (a failed setup fails the call, which then never runs unguarded). */
  private readonly ready = new WeakSet<PoolConnection>();

  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
  ) {}

  run(sql: string, args: readonly SqlArg[]): Promise<Outcome> {
    return this.withConnection(this.timeoutMs, async (conn) => toOutcome(await runQuery(conn, sql, args)));
  }

  transaction(statements: readonly Statement[]): Promise<Outcome[]> {
    // One deadline for the whole transaction: past it the connection is dropped, which rolls back.
    return this.withConnection(this.timeoutMs, async (conn) => {
      await command(conn, 'START TRANSACTION');
      try {
        const results: Outcome[] = [];
        for (const st of statements) results.push(toOutcome(await runQuery(conn, st.query, st.args)));
        await command(conn, 'COMMIT');
        return results;
      } catch (err) {
        await command(conn, 'ROLLBACK').catch(() => conn.destroy());
        throw err;
      }
    });
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.withConnection(
      timeoutMs,
      (conn) => new Promise<void>((resolve, reject) => conn.ping((err) => (err ? reject(err) : resolve()))),
    );
  }

  async close(): Promise<void> {
    if (this.active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.timeoutMs + CLOSE_GRACE_MS);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // end() sends QUIT on each connection; a server that never answers must not hold the shutdown.
    await new Promise<void>((resolve) => {
      setTimeout(resolve, CLOSE_GRACE_MS).unref();
      this.pool.end(() => resolve());
    });
  }

  /**
   * Borrows a connection for `work` under a deadline covering the wait for a connection too. At the deadline
   * the caller gets TIMEOUT at once; the connection is destroyed and its server thread killed, so a runaway
   * statement neither holds a pool slot nor keeps running on the server.
   */
  private withConnection<T>(timeoutMs: number, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    this.active++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let conn: PoolConnection | undefined;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        if (--this.active === 0) this.idle?.();
        return true;
      };
      const timer = setTimeout(() => {
        if (!settle()) return;
        if (conn) this.abort(conn);
        reject(dbTimeout(timeoutMs));
      }, timeoutMs);
      this.pool.getConnection((getErr, c) => {
        if (getErr) {
          if (settle()) reject(getErr);
          return;
        }
        if (settled) {
          c.release();
          return;
        }
        conn = c;
        const started = this.ready.has(c)
          ? work(c)
          : command(c, SESSION_SETUP).then(() => {
              this.ready.add(c);
              return work(c);
            });
        started.then(
          (value) => {
            if (!settle()) return;
            c.release();
            resolve(value);
          },
          (err: unknown) => {
            if (!settle()) return;
            // A fatal error leaves the connection unusable: drop it rather than hand it to the next call.
            if ((err as { fatal?: boolean }).fatal) c.destroy();
            else c.release();
            reject(err);
          },
        );
      });
    });
  }

  private abort(conn: PoolConnection): void {
    const threadId = conn.threadId;
    conn.destroy();
    if (Number.isSafeInteger(threadId) && threadId > 0) this.pool.query(`KILL ${threadId}`, () => undefined);
  }
}

function runQuery(conn: PoolConnection, sql: string, args: readonly SqlArg[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // mysql2 types the values as a mutable array; they are only read.
    conn.query(sql, args as SqlArg[], (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A statement without arguments (transaction control). */
function command(conn: PoolConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.query(sql, (err) => (err ? reject(err) : resolve())));
}

function toOutcome(result: unknown): Outcome {
  if (Array.isArray(result)) return result as Row[];
  const header = result as ResultSetHeader;
  return { insert_id: Number(header.insertId ?? 0), affected_rows: header.affectedRows ?? 0 };
}
