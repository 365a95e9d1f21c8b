// What the service needs from a database driver; both drivers give the same shapes (SPEC §6).

/** A JSON scalar: the only values a statement argument may take. */
export type SqlArg = string | number | boolean | null;

/** One result row: column name → value (dates as "YYYY-MM-DD HH:MM:SS" strings, booleans as 0/1). */
export type Row = Record<string, unknown>;

/** The answer to a statement that does not return rows. */
export interface WriteResult {
  insert_id: number;
  affected_rows: number;
}

/** Rows for a statement that returns rows (SELECT, ... RETURNING), a WriteResult otherwise. */
export type Outcome = Row[] | WriteResult;

export interface Statement {
  query: string;
  args: readonly SqlArg[];
}

export type DriverKind = 'mysql' | 'sqlite';

export interface Driver {
  readonly kind: DriverKind;
  /** Runs one statement; with `first`, a driver may stop after the first row. */
  run(sql: string, args: readonly SqlArg[], first?: boolean): Outcome | Promise<Outcome>;
  /** Runs the statements in one transaction: every result, or a throw after a full rollback. */
  transaction(statements: readonly Statement[]): Outcome[] | Promise<Outcome[]>;
  /** Resolves when the database answers within timeoutMs; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  /** Waits for the statements in flight, then releases every connection or file handle. */
  close(): Promise<void>;
  /**
   * Compiles a statement without running it or keeping it (the `prepare` action), where the driver can do so
   * directly; throws the driver's error. Absent: the action runs a probe statement instead.
   */
  compile?(sql: string): void;
}
