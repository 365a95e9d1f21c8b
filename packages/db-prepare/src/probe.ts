// How a statement is prepared without being run, through nothing more than a driver's run/transaction (the
// shape sogoms-db's drivers share): SQLite compiles `EXPLAIN <sql>` (its bytecode is listed, the statement is
// not run); MariaDB gets a server-side `PREPARE` of the text, deallocated in the same transaction.
import { compileNamed } from '@sogoms/sql';

export type PrepareDriverKind = 'mysql' | 'sqlite';

/** A statement to run and its arguments (the `?` of SQLite's EXPLAIN are bound to NULL). */
export interface ProbeStatement {
  query: string;
  args: (string | null)[];
}

/** The name of the server-side statement; reused, so a connection never holds more than one. */
const MYSQL_PROBE = 'sogoms_prepare_check';

/** The statements that prepare `sql` (with `?` markers) on `kind` without executing it. */
export function probeFor(kind: PrepareDriverKind, sql: string): ProbeStatement[] {
  if (kind === 'sqlite') {
    const markers = compileNamed(sql).positional;
    return [{ query: `EXPLAIN ${sql}`, args: new Array<null>(markers).fill(null) }];
  }
  // mysql2 escapes the text into a string literal: its own `?` stay markers of the prepared statement.
  return [
    { query: `PREPARE ${MYSQL_PROBE} FROM ?`, args: [sql] },
    { query: `DEALLOCATE PREPARE ${MYSQL_PROBE}`, args: [] },
  ];
}

/** The database's message kept in a report: one line, bounded. */
export const PREPARE_MESSAGE_CHARS = 300;

/** The message of a driver error (mysql2's sqlMessage, else its message), one line and bounded. */
export function prepareMessage(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    sqlMessage?: unknown;
    message?: unknown;
  };
  const text =
    typeof e.sqlMessage === 'string' ? e.sqlMessage : typeof e.message === 'string' ? e.message : String(err);
  return text.replace(/\s+/g, ' ').trim().slice(0, PREPARE_MESSAGE_CHARS);
}
