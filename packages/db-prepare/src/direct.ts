// `sogoctl check`: prepares an app's statements on a connection of its own (no sogoms-db running). SQLite: the
// file opened read-only and `prepare` (compiles, never runs). MariaDB: mysql2's `prepare` (COM_STMT_PREPARE,
// never executed) then `close`.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DatabaseSettings } from '@sogoms/config';
import type BetterSqlite3 from 'better-sqlite3';
import mysql from 'mysql2';
import { prepareMessage } from './probe.js';
import { registerMysqlFunctions } from './sqlite-functions.js';
import type { PrepareStatement } from './statements.js';

/** How long `sogoctl check` waits for a MariaDB server before it reports the database as unreachable. */
export const CHECK_CONNECT_TIMEOUT_MS = 2_000;

/** A statement the database refused, with its message. */
export interface PrepareProblem extends PrepareStatement {
  message: string;
}

export type DirectPrepareResult =
  | { reachable: false; reason: string }
  | { reachable: true; problems: PrepareProblem[] };

/** Prepares every statement on the app's database; an unreachable database is a result, not a throw. */
export function prepareDirect(
  db: DatabaseSettings,
  statements: readonly PrepareStatement[],
  connectTimeoutMs = CHECK_CONNECT_TIMEOUT_MS,
): Promise<DirectPrepareResult> {
  return db.driver === 'sqlite'
    ? Promise.resolve(prepareSqlite(db, statements))
    : prepareMysql(db, statements, connectTimeoutMs);
}

function prepareSqlite(db: DatabaseSettings, statements: readonly PrepareStatement[]): DirectPrepareResult {
  if (!db.file) return { reachable: false, reason: 'no database.file' };
  let handle: BetterSqlite3.Database;
  try {
    // By its real path, as sogoms-db loads it (pnpm links every package).
    const require = createRequire(import.meta.url);
    const Sqlite = require(realpathSync(require.resolve('better-sqlite3'))) as typeof BetterSqlite3;
    handle = new Sqlite(db.file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { reachable: false, reason: prepareMessage(err) };
  }
  try {
    registerMysqlFunctions(handle, () => 0);
    const problems: PrepareProblem[] = [];
    for (const st of statements) {
      try {
        handle.prepare(st.sql);
      } catch (err) {
        problems.push({ ...st, message: prepareMessage(err) });
      }
    }
    return { reachable: true, problems };
  } finally {
    handle.close();
  }
}

async function prepareMysql(
  db: DatabaseSettings,
  statements: readonly PrepareStatement[],
  connectTimeoutMs: number,
): Promise<DirectPrepareResult> {
  const conn = mysql.createConnection({
    ...(db.socket ? { socketPath: db.socket } : { host: db.host, port: db.port }),
    user: db.user,
    password: db.password,
    database: db.name,
    connectTimeout: connectTimeoutMs,
    multipleStatements: false,
  });
  conn.on('error', () => undefined); // a connection lost after the check is nobody's concern
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    conn.destroy();
    const code = (err as { code?: unknown }).code;
    return {
      reachable: false,
      reason: `${prepareMessage(err)}${typeof code === 'string' ? ` (${code})` : ''}`,
    };
  }
  try {
    const problems: PrepareProblem[] = [];
    for (const st of statements) {
      const err = await new Promise<unknown>((resolve) =>
        conn.prepare(st.sql, (e, prepared) => {
          if (!e) prepared.close();
          resolve(e ?? undefined);
        }),
      );
      if (err) problems.push({ ...st, message: prepareMessage(err) });
    }
    return { reachable: true, problems };
  } finally {
    conn.destroy();
  }
}
