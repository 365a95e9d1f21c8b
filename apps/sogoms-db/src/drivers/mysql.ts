// MariaDB/MySQL through a pool of mysql2 connections per app (SPEC §6), all under one cap per process.
// Statements go through `query` (text protocol, arguments escaped by mysql2), not `execute` (prepared
// statements): measured on a 50-row list, the binary protocol cost sogoms-db ~65% more CPU per request
// (mysql2 rebuilds every DATETIME string from binary fields) against ~10% less in MariaDB for skipping the
// parse. The text protocol also has no `LIMIT ?` typing quirk and no server-side statement count to bound.
// The callback API is used under a thin promise of our own: mysql2/promise captures a stack trace on every
// call, another measurable share of the CPU under load.
import type { DatabaseSettings } from '@sogoms/config';
import type { ResultSetHeader } from 'mysql2';
import { dbTimeout } from '../errors.js';
import { ConnectionBudget } from './connection-budget.js';
import { MysqlPool, type PooledConnection } from './mysql-pool.js';
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

/** A health ping found no connection free and no room to open one: the database was not asked. */
export class NoConnectionFree extends Error {
  constructor() {
    super('no connection free for a health ping');
    this.name = 'NoConnectionFree';
  }
}

/**
 * Creates the app's pool, which connects lazily (no connection before the first call) and takes every
 * connection from `budget`, the cap shared by all the apps of the process.
 */
export function createMysqlDriver(
  settings: DatabaseSettings,
  budget: ConnectionBudget = new ConnectionBudget(),
): Driver {
  const pool = new MysqlPool(
    {
      ...(settings.socket ? { socketPath: settings.socket } : { host: settings.host, port: settings.port }),
      user: settings.user,
      password: settings.password,
      database: settings.name,
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
    },
    settings.pool,
    settings.idleTimeoutMs,
    budget,
    () => budget.noteRefused(),
  );
  return new MysqlDriver(pool, budget, settings.queryTimeoutMs);
}

class MysqlDriver implements Driver {
  readonly kind = 'mysql' as const;
  private active = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly pool: MysqlPool,
    private readonly budget: ConnectionBudget,
    private readonly timeoutMs: number,
  ) {}

  run(sql: string, args: readonly SqlArg[]): Promise<Outcome> {
    return retryDeadlock(() =>
      this.withConnection(this.timeoutMs, async (c) => toOutcome(await runQuery(c, sql, args))),
    );
  }

  transaction(statements: readonly Statement[]): Promise<Outcome[]> {
    // One deadline for the whole transaction: past it the connection is dropped, which rolls back.
    return retryDeadlock(() =>
      this.withConnection(this.timeoutMs, async (c) => {
        await command(c, 'START TRANSACTION');
        try {
          const results: Outcome[] = [];
          for (const st of statements) results.push(toOutcome(await runQuery(c, st.query, st.args)));
          await command(c, 'COMMIT');
          return results;
        } catch (err) {
          await command(c, 'ROLLBACK').catch(() => {
            c.broken = true;
          });
          throw err;
        }
      }),
    );
  }

  /**
   * Pings on an idle connection, or on one opened for the ping and closed after it; never waits for one (a
   * health check must not queue behind the traffic nor hold a connection per app): NoConnectionFree then.
   */
  async ping(timeoutMs: number): Promise<void> {
    await this.withConnection(
      timeoutMs,
      (c) => new Promise<void>((resolve, reject) => c.conn.ping((err) => (err ? reject(err) : resolve()))),
      false,
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
    this.pool.close();
  }

  /**
   * Borrows a connection for `work` under a deadline covering the wait for a connection too. At the deadline
   * the caller gets TIMEOUT at once; the connection is destroyed and its server thread killed, so a runaway
   * statement neither holds a pool slot nor keeps running on the server.
   */
  private withConnection<T>(
    timeoutMs: number,
    work: (c: PooledConnection) => Promise<T>,
    forTraffic = true,
  ): Promise<T> {
    this.active++;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let pooled: PooledConnection | undefined;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        if (--this.active === 0) this.idle?.();
        return true;
      };
      const timer = setTimeout(() => {
        if (!settle()) return;
        if (pooled) this.abort(pooled);
        else if (cancel()) this.budget.noteWaitTimeout();
        reject(dbTimeout(timeoutMs));
      }, timeoutMs);
      const cancel = this.pool.acquire((getErr, c) => {
        if (getErr || !c) {
          if (settle()) reject(getErr ?? new NoConnectionFree());
          return;
        }
        if (settled) {
          this.pool.release(c, forTraffic);
          return;
        }
        pooled = c;
        // A connection opened for a ping is closed after it; one that served traffic before goes back idle.
        const keepIdle = forTraffic || c.ready;
        const started = c.ready
          ? work(c)
          : command(c, SESSION_SETUP).then(() => {
              c.ready = true;
              return work(c);
            });
        started.then(
          (value) => {
            if (!settle()) return;
            this.pool.release(c, keepIdle);
            resolve(value);
          },
          (err: unknown) => {
            if (!settle()) return;
            // A fatal error leaves the connection unusable: drop it rather than hand it to the next call.
            if ((err as { fatal?: boolean }).fatal || !c.ready) c.broken = true;
            this.pool.release(c, keepIdle);
            reject(err);
          },
        );
      }, forTraffic);
    });
  }

  /** Drops the connection and kills its server thread, on a connection of its own (best effort). */
  private abort(pooled: PooledConnection): void {
    const threadId = pooled.conn.threadId;
    this.pool.destroy(pooled);
    if (Number.isSafeInteger(threadId) && threadId > 0)
      this.withConnection(CONNECT_TIMEOUT_MS, (c) => command(c, `KILL ${threadId}`)).catch(() => undefined);
  }
}

/** ER_LOCK_DEADLOCK: InnoDB chose this statement's transaction as the victim and rolled it back whole. */
const ER_LOCK_DEADLOCK = 1213;
/** Attempts of a deadlock victim: it was rolled back entirely, so running it again is safe. */
export const DEADLOCK_ATTEMPTS = 3;

/**
 * Runs `attempt` again when the server rolled it back as a deadlock victim (concurrent inserts and range
 * deletes on one index, e.g. logins opening sessions): a transient failure the client should never see.
 */
async function retryDeadlock<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= DEADLOCK_ATTEMPTS || (err as { errno?: unknown }).errno !== ER_LOCK_DEADLOCK) throw err;
    }
  }
}

function runQuery(c: PooledConnection, sql: string, args: readonly SqlArg[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // mysql2 types the values as a mutable array; they are only read.
    c.conn.query(sql, args as SqlArg[], (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A statement without arguments (transaction control). */
function command(c: PooledConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => c.conn.query(sql, (err) => (err ? reject(err) : resolve())));
}

function toOutcome(result: unknown): Outcome {
  if (Array.isArray(result)) return result as Row[];
  const header = result as ResultSetHeader;
  return { insert_id: Number(header.insertId ?? 0), affected_rows: header.affectedRows ?? 0 };
}
