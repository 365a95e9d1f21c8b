// The `describe` action: what a table's columns accept, read from the database itself (information_schema on
// MariaDB, the table definition on SQLite), so that the gateway can check values the same way on both drivers
// before a statement runs (DOCTECH §2.3). Unknown tables answer no columns: callers then check nothing.

import type { ColumnInfo } from '@sogoms/protocol';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { Driver, DriverKind, Row } from './drivers/types.js';

export type { ColumnInfo };

type ColumnType = Omit<ColumnInfo, 'name' | 'nullable'>;

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const SAFE = Number.MAX_SAFE_INTEGER;

const INT_BITS: Record<string, number> = { tinyint: 8, smallint: 16, mediumint: 24, int: 32, integer: 32 };
const TEXT_BYTES: Record<string, number> = {
  tinytext: 255,
  text: 65_535,
  mediumtext: 16_777_215,
  longtext: 4_294_967_295,
};
const CHAR_TYPES = new Set(['char', 'varchar', 'character', 'nchar', 'nvarchar', 'varying character']);
const FLOAT_TYPES = new Set(['float', 'double', 'real', 'double precision']);

/**
 * A declared column type → what it accepts. `dialect` matters for INT/INTEGER and TEXT: 32 bits and 64 KiB on
 * MariaDB, 64 bits and unbounded on SQLite (where CHECK constraints narrow them, see sqliteChecks).
 */
export function parseColumnType(declared: string, dialect: DriverKind): ColumnType {
  const m = /^\s*([a-z]+(?: [a-z]+)?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(unsigned)?/i.exec(declared);
  if (!m) return { type: 'other' };
  const name = m[1]!.toLowerCase();
  const size = m[2] === undefined ? undefined : Number(m[2]);
  const unsigned = m[4] !== undefined;
  if (name === 'bool' || name === 'boolean') return { type: 'integer', min: -128, max: 127 };
  if (name === 'bigint' || ((name === 'int' || name === 'integer') && dialect === 'sqlite'))
    return { type: 'integer', min: unsigned ? 0 : -SAFE, max: SAFE };
  const bits = INT_BITS[name];
  if (bits !== undefined) {
    const span = 2 ** bits;
    return unsigned
      ? { type: 'integer', min: 0, max: span - 1 }
      : { type: 'integer', min: -span / 2, max: span / 2 - 1 };
  }
  if (name === 'decimal' || name === 'numeric' || name === 'dec' || name === 'fixed') {
    if (size === undefined) return { type: 'number' };
    const scale = m[3] === undefined ? 0 : Number(m[3]);
    const max = 10 ** (size - scale) - 10 ** -scale;
    return { type: 'number', min: unsigned ? 0 : -max, max };
  }
  if (FLOAT_TYPES.has(name)) return { type: 'number', ...(unsigned ? { min: 0 } : {}) };
  if (CHAR_TYPES.has(name)) return size === undefined ? { type: 'text' } : { type: 'text', max_length: size };
  if (name === 'text' && dialect === 'sqlite') return { type: 'text' };
  if (name === 'clob') return { type: 'text' };
  const bytes = TEXT_BYTES[name];
  if (bytes !== undefined) return { type: 'text', max_bytes: bytes };
  if (name === 'date') return { type: 'date' };
  return { type: 'other' };
}

const IDENT = '[`"[]?(\\w+)[`"\\]]?';
/** `CHECK (length(col) <= n)` / `CHECK (octet_length(col) <= n)`. */
const LENGTH_CHECK = new RegExp(
  `CHECK\\s*\\(\\s*(length|octet_length)\\s*\\(\\s*${IDENT}\\s*\\)\\s*<=\\s*(\\d+)\\s*\\)`,
  'gi',
);
/** `CHECK (col BETWEEN a AND b)`. */
const RANGE_CHECK = new RegExp(
  `CHECK\\s*\\(\\s*${IDENT}\\s+BETWEEN\\s+(-?\\d+)\\s+AND\\s+(-?\\d+)\\s*\\)`,
  'gi',
);
/** `CHECK (date(col) IS col)`: NULL or a real YYYY-MM-DD date. */
const DATE_CHECK = new RegExp(
  `CHECK\\s*\\(\\s*date\\s*\\(\\s*${IDENT}\\s*\\)\\s+IS\\s+${IDENT}\\s*\\)`,
  'gi',
);

/** Narrows SQLite columns by the CHECK forms above found in the table's CREATE statement. */
export function sqliteChecks(createSql: string, columns: Map<string, ColumnInfo>): void {
  for (const m of createSql.matchAll(LENGTH_CHECK)) {
    const col = columns.get(m[2]!);
    if (col?.type !== 'text') continue;
    const n = Number(m[3]);
    if (m[1]!.toLowerCase() === 'length') col.max_length = Math.min(col.max_length ?? n, n);
    else col.max_bytes = Math.min(col.max_bytes ?? n, n);
  }
  for (const m of createSql.matchAll(RANGE_CHECK)) {
    const col = columns.get(m[1]!);
    if (!col || (col.type !== 'integer' && col.type !== 'number')) continue;
    col.min = Math.max(col.min ?? -Infinity, Number(m[2]));
    col.max = Math.min(col.max ?? Infinity, Number(m[3]));
  }
  for (const m of createSql.matchAll(DATE_CHECK)) {
    const col = columns.get(m[1]!);
    if (col && m[1] === m[2] && col.type === 'text') col.type = 'date';
  }
}

const MYSQL_COLUMNS = `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS column_type, IS_NULLABLE AS nullable,
  CHARACTER_MAXIMUM_LENGTH AS max_chars
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`;
const SQLITE_COLUMNS = 'SELECT name, type, "notnull" AS not_null, pk FROM pragma_table_info(?) ORDER BY cid';
const SQLITE_TABLE = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?";

const rowsOf = (outcome: unknown): Row[] => (Array.isArray(outcome) ? (outcome as Row[]) : []);

/** The `describe` action's answer: {table, columns}; columns is empty for a table the database lacks. */
export async function describeTable(
  driver: Driver,
  params: Record<string, unknown>,
): Promise<{ table: string; columns: ColumnInfo[] }> {
  const table = params['table'];
  if (typeof table !== 'string' || !TABLE.test(table))
    throw new SogomsError(ErrorCode.BAD_REQUEST, 'table must be an identifier of at most 64 characters');
  if (driver.kind === 'mysql') {
    const rows = rowsOf(await driver.run(MYSQL_COLUMNS, [table]));
    const columns = rows.map((r): ColumnInfo => {
      const type = parseColumnType(String(r['column_type']), 'mysql');
      // VARCHAR lengths are characters whatever the charset: information_schema says so directly.
      if (type.type === 'text' && type.max_length !== undefined && typeof r['max_chars'] === 'number')
        type.max_length = r['max_chars'];
      return { name: String(r['name']), nullable: r['nullable'] === 'YES', ...type };
    });
    return { table, columns };
  }
  const rows = rowsOf(await driver.run(SQLITE_COLUMNS, [table]));
  const columns = new Map<string, ColumnInfo>();
  for (const r of rows) {
    const name = String(r['name']);
    // An INTEGER PRIMARY KEY is the rowid: NOT NULL in effect, whatever its declaration says.
    const nullable = Number(r['not_null']) === 0 && Number(r['pk']) === 0;
    columns.set(name, { name, nullable, ...parseColumnType(String(r['type'] ?? ''), 'sqlite') });
  }
  const create = rowsOf(await driver.run(SQLITE_TABLE, [table]))[0]?.['sql'];
  if (typeof create === 'string') sqliteChecks(create, columns);
  return { table, columns: [...columns.values()] };
}
