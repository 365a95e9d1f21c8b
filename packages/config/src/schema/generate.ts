// Turns a checked schema into the very shapes a hand-written queries/{app}/*.yaml gives (ResourceQueries,
// AuthQueries), at load: the gateway serves a schema app exactly as if those queries were written — same
// envelopes, role filters, owner stamping, `references` for foreign keys — plus each field's rule for validation.
import type { FileReport } from '../errors.js';
import { schemaExpand } from '../list-expand.js';
import {
  DEFAULT_LIST_KEY,
  DEFAULT_LIST_LIMIT,
  DEFAULT_LIST_MAX,
  DEFAULT_MAX_OFFSET,
  DEFAULT_OWNER_FIELD,
} from '../queries.js';
import type {
  AppSchema,
  AuthQueries,
  CudQuery,
  FieldRule,
  ReadQuery,
  ResourceQueries,
  RoleFilters,
  SchemaField,
  SchemaTable,
} from '../types.js';
import { BIGINT_RANGE, INT_RANGE, UINT_RANGE } from './read.js';

// Never taken from a registration body (the gateway refuses them too).
const NOT_REGISTERED = ['id', 'role', 'user_id'];
/** Types a list may be sorted by (not long text or JSON). */
const SORTABLE_TYPES = new Set([
  'int',
  'bigint',
  'string',
  'bool',
  'decimal',
  'date',
  'datetime',
  'email',
  'enum',
]);

/** Generated resources of every table with `crud`, by table name. */
export function schemaResources(schema: AppSchema, report: FileReport): Record<string, ResourceQueries> {
  const resources: Record<string, ResourceQueries> = {};
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  for (const table of schema.tables) {
    if (table.crud.length === 0) continue;
    resources[table.name] = resourceOf(table, byName, report);
  }
  return resources;
}

function resourceOf(
  table: SchemaTable,
  tables: ReadonlyMap<string, SchemaTable>,
  report: FileReport,
): ResourceQueries {
  const primary = table.fields.find((f) => f.primary)!;
  const visible = table.fields.filter((f) => !f.hidden).map((f) => f.name);
  const select = `SELECT ${visible.join(', ')} FROM ${table.name}`;
  const filters = filtersOf(table);
  const resource: ResourceQueries = { name: table.name, ownerField: table.owner ?? DEFAULT_OWNER_FIELD };
  const read = (query: string): ReadQuery => ({
    query,
    filters,
    params: {},
    sortable: [],
    limit: { default: DEFAULT_LIST_LIMIT, max: DEFAULT_LIST_MAX, maxOffset: DEFAULT_MAX_OFFSET },
  });
  if (table.crud.includes('list')) {
    const list = read(select);
    list.order = table.order ?? `${primary.name} ASC`;
    list.sortable =
      table.sortable ??
      table.fields.filter((f) => !f.hidden && SORTABLE_TYPES.has(f.type)).map((f) => f.name);
    list.key = primary.name ?? DEFAULT_LIST_KEY;
    list.filterable = visible;
    list.fields = visible;
    list.expand = schemaExpand(table, tables);
    resource.list = list;
  }
  if (table.crud.includes('show')) resource.show = read(`${select} WHERE ${primary.name} = :id`);
  const writable = table.fields.filter((f) => !f.readOnly);
  const rules: Record<string, FieldRule> = {};
  for (const f of writable) rules[f.name] = ruleOf(f);
  const references: Record<string, string> = {};
  for (const f of writable) {
    if (!f.foreign) continue;
    const target = tables.get(f.foreign.table);
    if (!target || target.fields.some((c) => c.auth)) continue; // the users table: the FK alone
    if (target.crud.includes('show') && target.fields.find((c) => c.primary)?.name === f.foreign.column)
      references[f.name] = target.name;
    else if (target.owner && !target.open)
      report.add(
        `tables.${table.name}.fields.${f.name}.foreign`,
        `table ${target.name} has an owner but no show: add show to its crud, so that a row may only point at its author's ${target.name}`,
      );
  }
  const cud = (withFilters: boolean, withFields: boolean): CudQuery => ({
    table: table.name,
    fields: withFields ? writable.map((f) => f.name) : [],
    filters: withFilters ? filters : {},
    references: withFields ? references : {},
    ...(withFields ? { rules } : {}),
  });
  if (table.crud.includes('create')) resource.create = cud(false, true);
  if (table.crud.includes('update')) resource.update = cud(true, true);
  if (table.crud.includes('delete')) resource.delete = cud(true, false);
  return resource;
}

/** The owner filter by default, `filter: none` opening every row, and the table's per-role entries over them. */
function filtersOf(table: SchemaTable): RoleFilters {
  const base: Record<string, string> = {};
  if (table.owner && !table.open) base.default = `${table.owner} = :user_id`;
  else base.default = '';
  return { ...base, ...table.filters };
}

/** The value rule of a field: the schema's bounds, else the column type's. */
export function ruleOf(f: SchemaField): FieldRule {
  const rule: FieldRule = {
    type: f.type,
    required: f.required && f.default === undefined,
    nullable: f.nullable,
  };
  let min = f.min;
  let max = f.max;
  if (f.type === 'int') {
    const range = f.foreign ? UINT_RANGE : INT_RANGE;
    min ??= range.min;
    max ??= range.max;
  } else if (f.type === 'bigint') {
    min ??= f.foreign ? 0 : BIGINT_RANGE.min;
    max ??= BIGINT_RANGE.max;
  }
  if (min !== undefined) rule.min = min;
  if (max !== undefined) rule.max = max;
  if (f.pattern !== undefined) rule.pattern = f.pattern;
  if (f.values) rule.values = f.values;
  if (f.scale !== undefined) rule.scale = f.scale;
  return rule;
}

/** /auth queries from the users table (the one with auth: login/password), or undefined without one. */
export function schemaAuthQueries(schema: AppSchema): AuthQueries | undefined {
  const users = schema.tables.find((t) => t.fields.some((f) => f.auth === 'login'));
  if (!users?.fields.some((f) => f.auth === 'password')) return undefined;
  const primary = users.fields.find((f) => f.primary)?.name ?? 'id';
  const visible = users.fields.filter((f) => !f.hidden).map((f) => f.name);
  const select = `SELECT ${visible.join(', ')}`;
  return {
    login: { query: `${select}, password FROM ${users.name} WHERE email = :email`, include: [] },
    register: {
      table: users.name,
      fields: users.fields.filter((f) => !f.readOnly && !NOT_REGISTERED.includes(f.name)).map((f) => f.name),
    },
    me: { query: `${select} FROM ${users.name} WHERE ${primary} = :user_id` },
  };
}
