// Reads and checks schema/{app}.yaml (DOCTECH §4.9): tables, their typed fields, indexes, foreign keys, the owner
// column and the CRUD actions. Every problem is reported with its key path; the result is what both the gateway
// (generated resources) and sogoms-schema (migrations) use.
import type { FileReport } from '../errors.js';
import type { Env } from '../expand.js';
import { Section } from '../schema.js';
import { checkCondition, checkPlaceholders } from '../sql-check.js';
import { loadTree } from '../tree.js';
import type {
  AppSchema,
  CrudAction,
  OnDelete,
  RoleFilters,
  SchemaField,
  SchemaIndex,
  SchemaTable,
  SchemaType,
} from '../types.js';

export const SCHEMA_TYPES: readonly SchemaType[] = [
  'int',
  'bigint',
  'string',
  'text',
  'bool',
  'decimal',
  'date',
  'datetime',
  'email',
  'enum',
  'json',
];
export const CRUD_ACTIONS: readonly CrudAction[] = ['list', 'show', 'create', 'update', 'delete'];
const ON_DELETE: readonly OnDelete[] = ['cascade', 'set null', 'restrict', 'no action'];
/** string without `max`: VARCHAR(255). */
export const DEFAULT_STRING_MAX = 255;
/** The longest VARCHAR of utf8mb4 MariaDB tables; longer text is `type: text`. */
export const MAX_STRING_MAX = 16_383;
/** TEXT holds 65,535 bytes. */
export const TEXT_MAX_BYTES = 65_535;
export const DEFAULT_DECIMAL_PRECISION = 10;
export const DEFAULT_DECIMAL_SCALE = 2;
export const INT_RANGE = { min: -2_147_483_648, max: 2_147_483_647 };
export const UINT_RANGE = { min: 0, max: 4_294_967_295 };
export const BIGINT_RANGE = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };

const TABLE_KEYS = [
  'fields',
  'crud',
  'filter',
  'filters',
  'order',
  'sortable',
  'timestamps',
  'indexes',
  'unique',
];
const FIELD_KEYS = [
  'type',
  'primary',
  'auto',
  'unique',
  'index',
  'required',
  'hidden',
  'auth',
  'default',
  'min',
  'max',
  'pattern',
  'values',
  'precision',
  'scale',
  'foreign',
  'on_delete',
  'filter',
];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ROLE = /^[A-Za-z0-9_-]+$/;
const TIMESTAMP_COLUMNS = ['created_at', 'updated_at'];

/** Reads one schema/{app}.yaml; undefined when it cannot be parsed (already reported). */
export function readSchemaFile(report: FileReport, env: Env): AppSchema | undefined {
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, ['tables']);
  if (!s.has('tables')) report.add('tables', 'is required (one entry per table)');
  const tables: SchemaTable[] = [];
  for (const [name, raw] of s.entries('tables')) {
    const path = s.at(`tables.${name}`);
    if (!IDENT.test(name)) {
      report.add(path, 'table names are identifiers (letters, digits, _; not starting with a digit)');
      continue;
    }
    tables.push(readTable(new Section(report, path, raw ?? {}, TABLE_KEYS), name));
  }
  checkTables(report, tables);
  return { file: report.file, tables: dependencyOrder(tables) };
}

function readTable(s: Section, name: string): SchemaTable {
  const fields: SchemaField[] = [];
  for (const [column, raw] of s.entries('fields')) {
    const path = s.at(`fields.${column}`);
    if (!IDENT.test(column)) s.report.add(path, 'column names are identifiers (letters, digits, _)');
    else fields.push(readField(new Section(s.report, path, raw ?? {}, FIELD_KEYS), column));
  }
  if (!s.has('fields')) s.report.add(s.at('fields'), 'is required');
  const timestamps = s.bool('timestamps', false);
  if (timestamps) {
    for (const column of TIMESTAMP_COLUMNS) {
      if (fields.some((f) => f.name === column))
        s.report.add(s.at(`fields.${column}`), 'is added by `timestamps: true`: remove it from fields');
      else fields.push(timestampField(column));
    }
  }
  const crud: CrudAction[] = [];
  for (const { value, path } of s.stringList('crud')) {
    if (!(CRUD_ACTIONS as readonly string[]).includes(value))
      s.report.add(path, `expected one of: ${CRUD_ACTIONS.join(', ')}`);
    else if (!crud.includes(value as CrudAction)) crud.push(value as CrudAction);
  }
  const filter = s.oneOf('filter', ['owner', 'none'] as const, 'owner');
  const owners = fields.filter((f) => f.owner);
  if (owners.length > 1) s.report.add(s.at('fields'), 'only one column may have `filter: owner`');
  const table: SchemaTable = {
    name,
    fields,
    indexes: readIndexes(s, name, fields),
    crud,
    open: filter === 'none',
    filters: readFilterOverrides(s),
    timestamps,
  };
  if (owners[0]) table.owner = owners[0].name;
  const order = s.string('order');
  if (order !== undefined && order.trim() !== '') {
    checkPlaceholders(s, s.at('order'), order, []);
    table.order = order.trim();
  }
  if (s.has('sortable')) {
    const sortable: string[] = [];
    for (const { value, path } of s.stringList('sortable')) {
      if (!fields.some((f) => f.name === value && !f.hidden))
        s.report.add(path, `no visible field ${s.report.quote(path, value)} in this table`);
      else sortable.push(value);
    }
    table.sortable = sortable;
  }
  checkTableShape(s, table);
  return table;
}

function timestampField(name: string): SchemaField {
  return {
    name,
    type: 'datetime',
    required: false,
    nullable: false,
    primary: false,
    auto: false,
    unique: false,
    index: false,
    hidden: false,
    default: 'now',
    owner: false,
    readOnly: true,
  };
}

function readField(s: Section, name: string): SchemaField {
  const type = s.has('type') ? s.oneOf('type', SCHEMA_TYPES, 'string') : undefined;
  if (!type) s.report.add(s.at('type'), `is required (one of: ${SCHEMA_TYPES.join(', ')})`);
  const field: SchemaField = {
    name,
    type: type ?? 'string',
    primary: s.bool('primary', false),
    auto: s.bool('auto', false),
    unique: s.bool('unique', false),
    index: s.bool('index', false),
    required: s.bool('required', false),
    hidden: s.bool('hidden', false),
    nullable: true,
    owner: s.oneOf('filter', ['owner'] as const, 'owner') === 'owner' && s.has('filter'),
    readOnly: false,
  };
  const t = field.type;
  if (s.has('auth')) field.auth = s.oneOf('auth', ['login', 'password'] as const, 'login');
  const numeric = t === 'int' || t === 'bigint' || t === 'decimal';
  const sized = t === 'string' || t === 'text' || t === 'email';
  for (const key of ['min', 'max'] as const) {
    if (!s.has(key)) continue;
    const raw = s.raw(key);
    if (!numeric && !sized) s.report.add(s.at(key), `does not apply to type ${t}`);
    else if (typeof raw !== 'number' || !Number.isFinite(raw) || (sized && !Number.isInteger(raw)))
      s.report.add(s.at(key), sized ? 'expected a whole number of characters' : 'expected a number');
    else field[key] = raw;
  }
  if (sized && field.min !== undefined && field.min < 0) s.report.add(s.at('min'), 'must not be negative');
  if (t === 'string' || t === 'email') {
    field.max ??= DEFAULT_STRING_MAX;
    if (field.max < 1 || field.max > MAX_STRING_MAX)
      s.report.add(s.at('max'), `must be between 1 and ${MAX_STRING_MAX} (longer text is type: text)`);
  }
  if (field.min !== undefined && field.max !== undefined && field.min > field.max)
    s.report.add(s.at('min'), 'must not exceed max');
  if (s.has('pattern')) {
    const pattern = s.string('pattern');
    if (t !== 'string' && t !== 'text') s.report.add(s.at('pattern'), `does not apply to type ${t}`);
    else if (pattern !== undefined) {
      try {
        new RegExp(pattern, 'u');
        field.pattern = pattern;
      } catch {
        s.report.add(s.at('pattern'), 'not a valid regular expression');
      }
    }
  }
  if (t === 'enum') {
    const values = s.stringList('values', { required: true }).map((v) => v.value);
    if (values.some((v) => v.length > 64 || v.includes("'")))
      s.report.add(s.at('values'), 'values are at most 64 characters, without quotes');
    field.values = values;
  } else if (s.has('values')) s.report.add(s.at('values'), 'only type enum takes values');
  if (t === 'decimal') {
    field.precision = s.int('precision', DEFAULT_DECIMAL_PRECISION, 1, 65);
    field.scale = s.int('scale', DEFAULT_DECIMAL_SCALE, 0, 30);
    if (field.scale > field.precision) s.report.add(s.at('scale'), 'must not exceed precision');
  } else {
    for (const key of ['precision', 'scale'])
      if (s.has(key)) s.report.add(s.at(key), 'only type decimal takes it');
  }
  if (field.auto && !(field.primary && (t === 'int' || t === 'bigint')))
    s.report.add(s.at('auto'), 'only an int or bigint primary key can be auto');
  if (field.owner && t !== 'int' && t !== 'bigint')
    s.report.add(s.at('filter'), 'the owner column holds a user id: type int or bigint');
  readDefault(s, field);
  readForeign(s, field);
  field.nullable = !(
    field.required ||
    field.primary ||
    field.owner ||
    field.auth !== undefined ||
    field.default !== undefined
  );
  field.readOnly = field.auto || field.owner;
  return field;
}

function readDefault(s: Section, field: SchemaField): void {
  if (!s.has('default')) return;
  const raw = s.raw('default');
  const path = s.at('default');
  const t = field.type;
  let ok = false;
  if (t === 'int' || t === 'bigint') ok = Number.isSafeInteger(raw);
  else if (t === 'decimal') ok = typeof raw === 'number' && Number.isFinite(raw);
  else if (t === 'bool') ok = typeof raw === 'boolean';
  else if (t === 'date' || t === 'datetime') ok = raw === 'now' || typeof raw === 'string';
  else if (t === 'enum') ok = typeof raw === 'string' && (field.values ?? []).includes(raw);
  else if (t === 'json' || t === 'text') ok = false;
  else ok = typeof raw === 'string' && !raw.includes("'") && raw.length <= (field.max ?? DEFAULT_STRING_MAX);
  if (t === 'json' || t === 'text')
    s.report.add(path, `type ${t} cannot have a default (MariaDB refuses it)`);
  else if (!ok) s.report.add(path, `does not fit type ${t}${t === 'enum' ? ' (one of its values)' : ''}`);
  else field.default = raw as string | number | boolean;
}

function readForeign(s: Section, field: SchemaField): void {
  if (!s.has('foreign')) {
    if (s.has('on_delete')) s.report.add(s.at('on_delete'), 'only a foreign key takes on_delete');
    return;
  }
  const target = s.string('foreign') ?? '';
  const m = /^([A-Za-z_][A-Za-z0-9_]{0,63})\.([A-Za-z_][A-Za-z0-9_]{0,63})$/.exec(target);
  if (!m) {
    s.report.add(s.at('foreign'), 'expected table.column');
    return;
  }
  const onDelete = s.oneOf('on_delete', ON_DELETE, 'cascade');
  field.foreign = { table: m[1]!, column: m[2]!, onDelete };
}

function readIndexes(s: Section, table: string, fields: readonly SchemaField[]): SchemaIndex[] {
  const indexes: SchemaIndex[] = [];
  for (const f of fields) {
    if (f.unique) indexes.push({ name: `uq_${table}_${f.name}`, columns: [f.name], unique: true });
    else if (f.index || (f.foreign && !f.primary))
      indexes.push({ name: `idx_${table}_${f.name}`, columns: [f.name], unique: false });
  }
  for (const key of ['indexes', 'unique'] as const) {
    for (const [name, raw] of s.entries(key)) {
      const path = s.at(`${key}.${name}`);
      if (!IDENT.test(name)) {
        s.report.add(path, 'index names are identifiers (letters, digits, _)');
        continue;
      }
      const columns = Array.isArray(raw) ? raw : [];
      if (columns.length === 0) s.report.add(path, 'expected a list of columns');
      const bad = columns.filter((c) => typeof c !== 'string' || !fields.some((f) => f.name === c));
      if (bad.length > 0) s.report.add(path, `no such column: ${bad.map(String).join(', ')}`);
      else if (columns.length > 0)
        indexes.push({ name, columns: columns as string[], unique: key === 'unique' });
    }
  }
  // A foreign key's own index is left out when another index already starts with its column.
  const auto = new Set(
    fields
      .filter((f) => f.foreign && !f.primary && !f.unique && !f.index)
      .map((f) => `idx_${table}_${f.name}`),
  );
  return indexes.filter(
    (ix, i) =>
      !auto.has(ix.name) || !indexes.some((other, j) => j !== i && other.columns[0] === ix.columns[0]),
  );
}

/** Table `filters`: role → condition laid over the owner default (`default` itself may be replaced). */
function readFilterOverrides(s: Section): RoleFilters {
  const filters: Record<string, string> = {};
  for (const [role, raw] of s.entries('filters')) {
    const path = s.at(`filters.${role}`);
    if (!ROLE.test(role)) s.report.add(path, 'role names use letters, digits, "_" and "-" only');
    else if (raw === null) filters[role] = '';
    else if (typeof raw !== 'string') s.report.add(path, 'expected an SQL condition (a string, "" for none)');
    else {
      if (checkPlaceholders(s, path, raw, ['id', 'user_id', 'role', 'email'])) checkCondition(s, path, raw);
      filters[role] = raw.trim();
    }
  }
  return filters;
}

function checkTableShape(s: Section, table: SchemaTable): void {
  const primary = table.fields.filter((f) => f.primary);
  if (primary.length === 0) s.report.add(s.at('fields'), 'needs a primary key (a field with primary: true)');
  const crud = table.crud;
  if (crud.length === 0) return;
  if (primary.length > 1) s.report.add(s.at('crud'), 'needs a single-column primary key (ids in the URL)');
  if (table.open && table.owner)
    s.report.add(s.at('filter'), '`filter: none` opens every row, but a column has `filter: owner`');
  if (!table.owner && !table.open && !Object.hasOwn(table.filters, 'default'))
    s.report.add(
      s.at('crud'),
      'has no owner: mark the column holding the user id `filter: owner`, or write `filter: none` to open every row to every logged-in user on purpose',
    );
  if (!table.owner && (crud.includes('create') || crud.includes('update')))
    s.report.add(
      s.at('crud'),
      'create stamps the author on each row: mark the column holding the user id `filter: owner`',
    );
  if (table.fields.some((f) => f.auth)) s.report.add(s.at('crud'), 'the users table is served by /auth only');
}

/** Cross-table checks: foreign targets, and the auth fields. */
function checkTables(report: FileReport, tables: readonly SchemaTable[]): void {
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const table of tables) {
    for (const f of table.fields) {
      if (!f.foreign) continue;
      const path = `tables.${table.name}.fields.${f.name}.foreign`;
      const target = byName.get(f.foreign.table)?.fields.find((c) => c.name === f.foreign!.column);
      if (!target)
        report.add(path, `no field ${f.foreign.column} in a table ${f.foreign.table} of this schema`);
      else if (!target.primary && !target.unique) report.add(path, 'must name a primary or unique column');
      else if (intFamily(target.type) !== intFamily(f.type))
        report.add(path, `type ${f.type} does not match ${f.foreign.table}.${target.name} (${target.type})`);
      if (f.foreign.onDelete === 'set null' && !f.nullable)
        report.add(
          `tables.${table.name}.fields.${f.name}.on_delete`,
          '"set null" needs a column that is not required',
        );
    }
  }
  const auth = tables.flatMap((t) => t.fields.filter((f) => f.auth).map((f) => ({ t, f })));
  const authTables = new Set(auth.map((a) => a.t.name));
  if (authTables.size > 1) report.add('tables', 'auth fields belong to one table (the users)');
  for (const { t, f } of auth) {
    const path = `tables.${t.name}.fields.${f.name}.auth`;
    const expected = f.auth === 'login' ? 'email' : 'password';
    if (f.name !== expected)
      report.add(path, `the ${f.auth} column must be named "${expected}" (the /auth body keys)`);
    if (f.auth === 'login' && !f.unique) report.add(path, 'the login column must be unique: true');
    if (f.auth === 'password' && !f.hidden) report.add(path, 'the password column must be hidden: true');
    if (f.type !== 'string' && f.type !== 'email') report.add(path, 'must be of type string or email');
  }
  for (const t of tables.filter((t) => authTables.has(t.name)))
    if (!t.fields.some((f) => f.primary && f.name === 'id' && f.auto))
      report.add(
        `tables.${t.name}.fields`,
        'the users table needs `id: { type: int, primary: true, auto: true }`',
      );
  for (const login of ['login', 'password'] as const)
    if (auth.length > 0 && !auth.some((a) => a.f.auth === login))
      report.add(`tables.${auth[0]!.t.name}`, `auth needs a field with auth: ${login}`);
}

function intFamily(type: string): string {
  return type === 'int' || type === 'bigint' ? 'int' : type;
}

/** Tables ordered so that each comes after the ones its foreign keys name (a cycle keeps file order). */
function dependencyOrder(tables: SchemaTable[]): SchemaTable[] {
  const out: SchemaTable[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const byName = new Map(tables.map((t) => [t.name, t]));
  const visit = (t: SchemaTable) => {
    if (placed.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const f of t.fields) {
      const dep = f.foreign && byName.get(f.foreign.table);
      if (dep && dep !== t) visit(dep);
    }
    placed.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}
