// The answer of sogoms-db's `describe` action, read by the gateway's column-type checks: one shape for both sides.

/** What a column accepts. Bounds are inclusive; integers never beyond ±(2^53−1), the safe range of JSON. */
export interface ColumnInfo {
  name: string;
  type: 'integer' | 'number' | 'text' | 'date' | 'other';
  nullable: boolean;
  min?: number;
  max?: number;
  /** Characters (VARCHAR(n); SQLite `CHECK (length(col) <= n)`). */
  max_length?: number;
  /** UTF-8 bytes (MariaDB TEXT types; SQLite `CHECK (octet_length(col) <= n)`). */
  max_bytes?: number;
}
