// Driver errors → registry codes (SPEC §6). The answer carries only a code and a fixed message (naming at most a
// key or a column); the driver's own text is logged by the service, with every value it quotes taken out.
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { DriverKind } from './drivers/types.js';

export type ConstraintKind = 'foreign_key' | 'not_null' | 'check' | 'value' | 'constraint';

export const dbError = (): SogomsError => new SogomsError(ErrorCode.DB_ERROR, 'query failed');
export const dbUnavailable = (): SogomsError =>
  new SogomsError(ErrorCode.DB_UNAVAILABLE, 'database unavailable');
export const dbTimeout = (ms: number): SogomsError =>
  new SogomsError(ErrorCode.TIMEOUT, `query timed out after ${ms} ms`);
const duplicate = (key: string | undefined): SogomsError =>
  new SogomsError(ErrorCode.DB_DUPLICATE, 'duplicate entry', key === undefined ? undefined : { key });
const constraint = (kind: ConstraintKind): SogomsError =>
  new SogomsError(ErrorCode.DB_CONSTRAINT, 'constraint violation', { kind });

/** What is wrong with a value the database refused for one column. */
export type ValueProblem = 'too_long' | 'out_of_range' | 'invalid';
const PROBLEM_TEXT: Record<ValueProblem, string> = {
  too_long: 'is too long',
  out_of_range: 'is out of range',
  invalid: 'has an invalid value',
};
/** A value refused by the column's type: the caller's input, VALIDATION_ERROR naming the column (never the value). */
export const badValue = (column: string, problem: ValueProblem): SogomsError =>
  new SogomsError(ErrorCode.VALIDATION_ERROR, `Field "${column}" ${PROBLEM_TEXT[problem]}`, {
    field: column,
  });

/** A driver that cannot reach its database at all (a file that cannot be opened, a module that does not load). */
export class DriverUnavailableError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DriverUnavailableError';
  }
}

interface DriverErrorFields {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  message?: unknown;
  sqlMessage?: unknown;
}

const fieldsOf = (err: unknown): DriverErrorFields =>
  typeof err === 'object' && err !== null ? (err as DriverErrorFields) : {};

// MariaDB/MySQL error numbers, stable across both servers.
const MYSQL_DUPLICATE = new Set([1022, 1062, 1586]);
const MYSQL_CONSTRAINT = new Map<number, ConstraintKind>([
  [1216, 'foreign_key'],
  [1217, 'foreign_key'],
  [1451, 'foreign_key'],
  [1452, 'foreign_key'],
  [1048, 'not_null'],
  [1364, 'not_null'], // strict mode: a NOT NULL column without default left out
  [4025, 'check'], // MariaDB CHECK
  [3819, 'check'], // MySQL 8 CHECK
  // The value errors below are VALIDATION_ERROR naming the column when the message names one (MYSQL_VALUE).
  [1264, 'value'], // out of range
  [1265, 'value'], // data truncated
  [1292, 'value'], // incorrect date/time value
  [1366, 'value'], // incorrect integer/string value
  [1406, 'value'], // data too long
]);
// ER_WARN_DATA_OUT_OF_RANGE, WARN_DATA_TRUNCATED, ER_TRUNCATED_WRONG_VALUE, ER_TRUNCATED_WRONG_VALUE_FOR_FIELD,
// ER_DATA_TOO_LONG.
const MYSQL_VALUE = new Map<number, ValueProblem>([
  [1264, 'out_of_range'],
  [1265, 'invalid'],
  [1292, 'invalid'],
  [1366, 'invalid'],
  [1406, 'too_long'],
]);
// Lock wait, max_statement_time (MariaDB), max_execution_time (MySQL), query killed by our own timeout.
const MYSQL_TIMEOUT = new Set([1205, 1969, 3024, 1317]);
const MYSQL_UNAVAILABLE_ERRNO = new Set([1040, 1044, 1045, 1049, 1053, 1129, 1130, 1203, 1698, 1927]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT', // Unix socket path missing
  'EACCES',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'HANDSHAKE_NO_SSL_SUPPORT',
]);

/** Maps a mysql2 error to its registry code. */
export function mapMysqlError(err: unknown): SogomsError {
  if (err instanceof SogomsError) return err;
  const f = fieldsOf(err);
  const errno = typeof f.errno === 'number' ? f.errno : undefined;
  const code = typeof f.code === 'string' ? f.code : '';
  if (errno !== undefined) {
    if (MYSQL_DUPLICATE.has(errno)) return duplicate(duplicateKeyOfMysql(String(f.sqlMessage ?? '')));
    const problem = MYSQL_VALUE.get(errno);
    const column = problem && columnOfMysql(String(f.sqlMessage ?? ''));
    if (problem && column) return badValue(column, problem);
    const kind = MYSQL_CONSTRAINT.get(errno);
    if (kind) return constraint(kind);
    if (MYSQL_TIMEOUT.has(errno)) return new SogomsError(ErrorCode.TIMEOUT, 'query timed out');
    if (MYSQL_UNAVAILABLE_ERRNO.has(errno)) return dbUnavailable();
  }
  if (NETWORK_CODES.has(code) || f.fatal === true) return dbUnavailable();
  // mysql2 raises this one without a code once pool.end() has been called.
  if (f.message === 'Pool is closed.') return dbUnavailable();
  return dbError();
}

/** "Duplicate entry 'x' for key 'uq_users_email'" → uq_users_email (MySQL 8 prefixes "table."). */
function duplicateKeyOfMysql(message: string): string | undefined {
  const m = /for key '([^']+)'\s*$/.exec(message);
  if (!m) return undefined;
  const key = m[1]!;
  const dot = key.lastIndexOf('.');
  return dot >= 0 ? key.slice(dot + 1) : key;
}

/**
 * "... for column 'name' at row 1" (MariaDB), "... for column `db`.`t`.`name` at row 1" (MariaDB 10.x on
 * 1366/1292) → name. Read from the end: the value quoted earlier in the message may hold anything.
 */
function columnOfMysql(message: string): string | undefined {
  const m = /for column (?:`[^`]*`\.)*[`']([^`']+)[`'] at row \d+$/.exec(message);
  return m ? m[1] : undefined;
}

/** "cannot store TEXT value in INTEGER column t.position" → position. */
const SQLITE_DATATYPE = /column (?:\w+\.)?(\w+)$/;
/** The CHECK forms of clients/prokov.sqlite.sql (and describe.ts): length, range, date. */
const SQLITE_VALUE_CHECKS: [RegExp, ValueProblem][] = [
  [/^CHECK constraint failed: (?:octet_)?length\((\w+)\) <= \d+$/, 'too_long'],
  [/^CHECK constraint failed: (\w+) BETWEEN -?\d+ AND -?\d+$/, 'out_of_range'],
  [/^CHECK constraint failed: date\((\w+)\) IS \w+$/, 'invalid'],
];

/** A STRICT datatype refusal or one of our CHECK forms → VALIDATION_ERROR naming the column. */
function sqliteValueError(code: string, message: string): SogomsError | undefined {
  if (code === 'SQLITE_CONSTRAINT_DATATYPE') {
    const column = SQLITE_DATATYPE.exec(message)?.[1];
    return column ? badValue(column, 'invalid') : undefined;
  }
  if (code !== 'SQLITE_CONSTRAINT_CHECK') return undefined;
  for (const [pattern, problem] of SQLITE_VALUE_CHECKS) {
    const column = pattern.exec(message)?.[1];
    if (column) return badValue(column, problem);
  }
  return undefined;
}

const SQLITE_CONSTRAINT = new Map<string, ConstraintKind>([
  ['SQLITE_CONSTRAINT_FOREIGNKEY', 'foreign_key'],
  ['SQLITE_CONSTRAINT_NOTNULL', 'not_null'],
  ['SQLITE_CONSTRAINT_CHECK', 'check'],
  ['SQLITE_CONSTRAINT_DATATYPE', 'value'],
]);
const SQLITE_UNAVAILABLE = [
  'SQLITE_CANTOPEN',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_FULL',
  'SQLITE_PERM',
];

/** Maps a better-sqlite3 error to its registry code. */
export function mapSqliteError(err: unknown): SogomsError {
  if (err instanceof SogomsError) return err;
  const f = fieldsOf(err);
  const code = typeof f.code === 'string' ? f.code : '';
  if (!code.startsWith('SQLITE_')) return dbError(); // TypeError/RangeError from binding: a bad call
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return duplicate(duplicateKeyOfSqlite(String(f.message ?? '')));
  if (code.startsWith('SQLITE_CONSTRAINT'))
    return (
      sqliteValueError(code, String(f.message ?? '')) ??
      constraint(SQLITE_CONSTRAINT.get(code) ?? 'constraint')
    );
  // busy_timeout elapsed while another connection (another sogoms-db instance) held the write lock.
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return new SogomsError(ErrorCode.TIMEOUT, 'database is locked');
  if (SQLITE_UNAVAILABLE.some((prefix) => code.startsWith(prefix))) return dbUnavailable();
  return dbError();
}

/** "UNIQUE constraint failed: users.email" → users.email (SQLite names columns, not the index). */
function duplicateKeyOfSqlite(message: string): string | undefined {
  const m = /constraint failed: (.+)$/.exec(message);
  return m ? m[1]! : undefined;
}

/** Maps any error a driver threw; SogomsErrors (timeouts, closed pools) pass through. */
export function mapDriverError(kind: DriverKind, err: unknown): SogomsError {
  if (err instanceof DriverUnavailableError) return dbUnavailable();
  return kind === 'mysql' ? mapMysqlError(err) : mapSqliteError(err);
}

/** What the log line keeps of a driver error: its code and text, never bound values (they may be secrets). */
export function describeDriverError(err: unknown): Record<string, unknown> {
  const f = fieldsOf(err);
  const text = typeof f.sqlMessage === 'string' ? f.sqlMessage : String(f.message ?? err);
  return {
    driver_code: f.code,
    errno: f.errno,
    detail: scrubDriverMessage(typeof f.errno === 'number' ? f.errno : undefined, text),
  };
}

/** Longest driver text kept in a log line. */
const MAX_DETAIL_CHARS = 300;
/** MariaDB messages that quote identifiers only (columns, keys, tables, users), never a value. */
const MYSQL_VALUE_FREE = new Set([
  1044, 1045, 1048, 1049, 1054, 1146, 1216, 1217, 1264, 1265, 1364, 1406, 1451, 1452, 3819, 4025,
]);
const ELIDED = "'…'";

/**
 * A driver message with the values it quotes replaced by '…', the column and key names kept. MariaDB quotes
 * values without escaping them (an email with a quote in it is not one token), so a message is cut at its
 * first quote unless its form is known: a duplicate keeps its key, a wrong value its column, a syntax error
 * what precedes "near". SQLite binds values apart from the SQL and never quotes them; its text goes through
 * the same cut, which only its user-defined functions could make necessary.
 */
export function scrubDriverMessage(errno: number | undefined, message: string): string {
  let out: string;
  if (errno !== undefined && MYSQL_VALUE_FREE.has(errno)) out = message;
  else if (errno !== undefined && MYSQL_DUPLICATE.has(errno)) {
    const key = duplicateKeyOfMysql(message);
    out = `Duplicate entry ${ELIDED}${key === undefined ? '' : ` for key '${key}'`}`;
  } else {
    const quote = message.indexOf("'");
    const column = errno === undefined ? undefined : columnOfMysql(message);
    const row = / at row \d+$/.exec(message)?.[0] ?? '';
    if (quote < 0) out = message;
    else if (column !== undefined) out = `${message.slice(0, quote)}${ELIDED} for column '${column}'${row}`;
    else {
      const near = message.indexOf(" near '");
      out = `${message.slice(0, near >= 0 ? near : quote)}${near >= 0 ? ` near ${ELIDED}` : ELIDED}`;
    }
  }
  return out.length > MAX_DETAIL_CHARS ? `${out.slice(0, MAX_DETAIL_CHARS)}…` : out;
}
