// The SQL of a schema, per driver: column definitions, CREATE TABLE, added columns, indexes, foreign keys and the
// updated_at triggers of SQLite. MariaDB tables are InnoDB utf8mb4; SQLite tables are STRICT, with the CHECKs
// sogoms-db's `describe` reads back (length(col) <= n, octet_length(col) <= n, col BETWEEN a AND b,
// date(col) IS col), so hand-written queries over them get the same value checks.
import type { SchemaField, SchemaIndex, SchemaTable } from '@sogoms/config';

export type Driver = 'mysql' | 'sqlite';

const TEXT_MAX_BYTES = 65_535;
const INT = { min: -2_147_483_648, max: 2_147_483_647 };
const UINT = { min: 0, max: 4_294_967_295 };

export const q = (name: string): string => `\`${name}\``;

function literal(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

function unsigned(f: SchemaField): boolean {
  return (f.type === 'int' || f.type === 'bigint') && (f.auto || f.foreign !== undefined || f.owner);
}

function mysqlType(f: SchemaField): string {
  switch (f.type) {
    case 'int':
      return unsigned(f) ? 'INT UNSIGNED' : 'INT';
    case 'bigint':
      return unsigned(f) ? 'BIGINT UNSIGNED' : 'BIGINT';
    case 'string':
    case 'email':
      return `VARCHAR(${f.max})`;
    case 'enum':
      return `VARCHAR(${Math.max(1, ...(f.values ?? []).map((v) => v.length))})`;
    case 'text':
      return 'TEXT';
    case 'bool':
      return 'TINYINT(1)';
    case 'decimal':
      return `DECIMAL(${f.precision},${f.scale})`;
    case 'date':
      return 'DATE';
    case 'datetime':
      return 'DATETIME';
    case 'json':
      return 'LONGTEXT';
  }
}

function mysqlDefault(f: SchemaField): string {
  if (f.default === undefined) return '';
  if (f.default === 'now')
    return f.type === 'date' ? ' DEFAULT (CURRENT_DATE)' : ' DEFAULT CURRENT_TIMESTAMP';
  return ` DEFAULT ${literal(f.default)}`;
}

function sqliteChecks(f: SchemaField): string[] {
  const c = q(f.name);
  switch (f.type) {
    case 'int':
    case 'bigint': {
      if (f.auto) return [];
      const range = f.type === 'int' ? (unsigned(f) ? UINT : INT) : undefined;
      const min = f.min ?? range?.min;
      const max = f.max ?? range?.max;
      return min !== undefined && max !== undefined ? [`CHECK (${c} BETWEEN ${min} AND ${max})`] : [];
    }
    case 'string':
    case 'email':
      return [`CHECK (length(${c}) <= ${f.max})`];
    case 'text':
      return [`CHECK (octet_length(${c}) <= ${TEXT_MAX_BYTES})`];
    case 'enum':
      return [`CHECK (${c} IN (${(f.values ?? []).map(literal).join(', ')}))`];
    case 'bool':
      return [`CHECK (${c} IN (0, 1))`];
    case 'date':
      return [`CHECK (date(${c}) IS ${c})`];
    case 'datetime':
      return [`CHECK (datetime(${c}) IS ${c})`];
    case 'json':
      return [`CHECK (json_valid(${c}))`];
    default:
      return [];
  }
}

function sqliteType(f: SchemaField): string {
  if (f.type === 'int' || f.type === 'bigint' || f.type === 'bool') return 'INTEGER';
  if (f.type === 'decimal') return 'REAL';
  return 'TEXT';
}

function sqliteDefault(f: SchemaField): string {
  if (f.default === undefined) return '';
  if (f.default === 'now') return f.type === 'date' ? ' DEFAULT CURRENT_DATE' : ' DEFAULT CURRENT_TIMESTAMP';
  return ` DEFAULT ${literal(f.default)}`;
}

function onDelete(f: SchemaField): string {
  return f.foreign ? ` ON DELETE ${f.foreign.onDelete.toUpperCase()}` : '';
}

/** One column's definition, as in CREATE TABLE or ADD COLUMN (`inlineForeign`: SQLite's REFERENCES clause). */
export function columnSql(driver: Driver, table: SchemaTable, f: SchemaField, inlineForeign = true): string {
  const single = table.fields.filter((c) => c.primary).length === 1;
  if (driver === 'mysql') {
    const nullSql = f.nullable ? ' NULL' : ' NOT NULL';
    const auto = f.auto ? ' AUTO_INCREMENT' : '';
    const onUpdate = table.timestamps && f.name === 'updated_at' ? ' ON UPDATE CURRENT_TIMESTAMP' : '';
    const check =
      f.type === 'enum' ? ` CHECK (${q(f.name)} IN (${(f.values ?? []).map(literal).join(', ')}))` : '';
    const json = f.type === 'json' ? ` CHECK (json_valid(${q(f.name)}))` : '';
    return `${q(f.name)} ${mysqlType(f)}${nullSql}${auto}${mysqlDefault(f)}${onUpdate}${check}${json}`;
  }
  if (f.auto && single) return `${q(f.name)} INTEGER PRIMARY KEY AUTOINCREMENT`;
  const primary = f.primary && single ? ' PRIMARY KEY' : '';
  const nullSql = f.nullable ? ' NULL' : ' NOT NULL';
  const collate = f.type === 'email' || f.auth === 'login' ? ' COLLATE NOCASE' : '';
  const ref =
    inlineForeign && f.foreign
      ? ` REFERENCES ${q(f.foreign.table)} (${q(f.foreign.column)})${onDelete(f)}`
      : '';
  const checks = sqliteChecks(f)
    .map((c) => ` ${c}`)
    .join('');
  return `${q(f.name)} ${sqliteType(f)}${nullSql}${primary}${collate}${sqliteDefault(f)}${ref}${checks}`;
}

export function foreignKeyName(table: string, column: string): string {
  return `fk_${table}_${column}`.slice(0, 64);
}

/** CREATE TABLE (with its keys) and what must follow it (SQLite indexes and triggers). `as` renames it. */
export function createTableSql(driver: Driver, table: SchemaTable, as = table.name): string[] {
  const lines = table.fields.map((f) => `  ${columnSql(driver, table, f)}`);
  const primary = table.fields.filter((f) => f.primary);
  const out: string[] = [];
  if (driver === 'mysql') {
    lines.push(`  PRIMARY KEY (${primary.map((f) => q(f.name)).join(', ')})`);
    for (const ix of table.indexes)
      lines.push(`  ${ix.unique ? 'UNIQUE KEY' : 'KEY'} ${q(ix.name)} (${ix.columns.map(q).join(', ')})`);
    for (const f of table.fields)
      if (f.foreign)
        lines.push(
          `  CONSTRAINT ${q(foreignKeyName(table.name, f.name))} FOREIGN KEY (${q(f.name)}) REFERENCES ${q(f.foreign.table)} (${q(f.foreign.column)})${onDelete(f)}`,
        );
    out.push(
      `CREATE TABLE ${q(as)} (\n${lines.join(',\n')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    return out;
  }
  if (primary.length > 1) lines.push(`  PRIMARY KEY (${primary.map((f) => q(f.name)).join(', ')})`);
  out.push(`CREATE TABLE ${q(as)} (\n${lines.join(',\n')}\n) STRICT`);
  return out;
}

/** What follows a SQLite table's creation: its indexes and its updated_at trigger. */
export function sqliteTableExtras(table: SchemaTable): string[] {
  const out = table.indexes.map((ix) => createIndexSql('sqlite', table.name, ix));
  if (table.timestamps) out.push(updatedAtTrigger(table));
  return out;
}

export function createIndexSql(driver: Driver, table: string, ix: SchemaIndex): string {
  const unique = ix.unique ? 'UNIQUE ' : '';
  const ifNot = driver === 'sqlite' ? 'IF NOT EXISTS ' : '';
  return `CREATE ${unique}INDEX ${ifNot}${q(ix.name)} ON ${q(table)} (${ix.columns.map(q).join(', ')})`;
}

function updatedAtTrigger(table: SchemaTable): string {
  const t = q(table.name);
  const pk = q(table.fields.find((f) => f.primary)?.name ?? 'id');
  return `CREATE TRIGGER IF NOT EXISTS ${q(`trg_${table.name}_updated_at`)} AFTER UPDATE ON ${t}
FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
BEGIN
  UPDATE ${t} SET updated_at = CURRENT_TIMESTAMP WHERE ${pk} = NEW.${pk};
END`;
}

export function addColumnSql(driver: Driver, table: SchemaTable, f: SchemaField): string[] {
  const out = [`ALTER TABLE ${q(table.name)} ADD COLUMN ${columnSql(driver, table, f)}`];
  if (driver === 'mysql' && f.foreign) out.push(addForeignKeySql(table, f));
  return out;
}

export function addForeignKeySql(table: SchemaTable, f: SchemaField): string {
  return `ALTER TABLE ${q(table.name)} ADD CONSTRAINT ${q(foreignKeyName(table.name, f.name))} FOREIGN KEY (${q(f.name)}) REFERENCES ${q(f.foreign!.table)} (${q(f.foreign!.column)})${onDelete(f)}`;
}
