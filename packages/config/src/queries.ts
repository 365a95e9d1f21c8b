import { basename } from 'node:path';
import type { FileReport } from './errors.js';
import type { Env } from './expand.js';
import { Section } from './schema.js';
import {
  checkCondition,
  checkPlaceholders,
  readIdentifier,
  readIdentifierList,
  readSql,
  safePlaceholderNames,
  TOKEN_PLACEHOLDERS,
} from './sql-check.js';
import { loadTree } from './tree.js';
import type { CudQuery, ReadQuery, ResourceQueries, RoleFilters } from './types.js';

export const DEFAULT_OWNER_FIELD = 'user_id';
export const DEFAULT_LIST_LIMIT = 50;
export const DEFAULT_LIST_MAX = 500;
export const MAX_LIST_LIMIT = 10_000;
/** The deepest ?offset= a list accepts unless `limit.max_offset` says otherwise; ?after= goes further. */
// A deferred-join page 1,000 rows deep costs about what a first page costs (pnpm bench:scale, docs/BENCHMARKS.md).
export const DEFAULT_MAX_OFFSET = 1_000;
export const MAX_MAX_OFFSET = 1_000_000_000;
export const DEFAULT_LIST_KEY = 'id';

const RESOURCE_KEYS = ['owner_field', 'list', 'show', 'create', 'update', 'delete'];
const ROLE = /^[A-Za-z0-9_-]+$/;
/** Resource names are file names, and URL path segments. */
export const RESOURCE_NAME = /^[A-Za-z0-9_-]+$/;
// Query-string names the gateway uses itself, or that would shadow a value from the path or the token.
// Names starting with "_" are the gateway's own placeholders (the cursor values of ?after=).
const RESERVED_PARAMS = [
  'id',
  'limit',
  'offset',
  'sort',
  'after',
  'fields',
  'count',
  'expand',
  'filter',
  ...TOKEN_PLACEHOLDERS,
];
const WITH_ID = ['id', ...TOKEN_PLACEHOLDERS];

/** Reads one queries/{app}/{resource}.yaml; undefined when it cannot be parsed (already reported). */
export function readResourceFile(report: FileReport, env: Env): ResourceQueries | undefined {
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, RESOURCE_KEYS);
  const resource: ResourceQueries = {
    name: basename(report.file, '.yaml'),
    ownerField: readIdentifier(s, 'owner_field', { required: s.has('owner_field') }) ?? DEFAULT_OWNER_FIELD,
  };
  const list = s.section('list', [
    'query',
    'filters',
    'order',
    'params',
    'sortable',
    'limit',
    'key',
    'filterable',
    'fields',
    'expand',
  ]);
  if (list.present) resource.list = readList(list);
  const show = s.section('show', ['query', 'filters']);
  if (show.present) resource.show = readRead(show, WITH_ID);
  const create = s.section('create', ['table', 'fields', 'references']);
  if (create.present) resource.create = readCud(create, { fields: true, filters: false });
  const update = s.section('update', ['table', 'fields', 'filters', 'references']);
  if (update.present) resource.update = readCud(update, { fields: true, filters: true });
  const del = s.section('delete', ['table', 'filters']);
  if (del.present) resource.delete = readCud(del, { fields: false, filters: true });
  if (!list.present && !show.present && !create.present && !update.present && !del.present) {
    report.add('', 'defines no section (list, show, create, update, delete)');
  }
  return resource;
}

function readRead(s: Section, allowed: readonly string[]): ReadQuery {
  return {
    query: readSql(s, 'query', allowed) ?? '',
    filters: readFilters(s, allowed),
    params: {},
    sortable: [],
    limit: { default: DEFAULT_LIST_LIMIT, max: DEFAULT_LIST_MAX },
  };
}

function readList(s: Section): ReadQuery {
  const q = readRead(s, TOKEN_PLACEHOLDERS);
  const order = s.string('order', { required: s.has('order') });
  if (order !== undefined && order.trim() !== '') {
    checkPlaceholders(s, s.at('order'), order, []);
    q.order = order.trim();
  }
  q.params = readParams(s);
  q.sortable = readIdentifierList(s, 'sortable');
  q.key = readIdentifier(s, 'key', { required: s.has('key') }) ?? DEFAULT_LIST_KEY;
  if (s.has('filterable')) q.filterable = readIdentifierList(s, 'filterable');
  if (s.has('fields')) q.fields = readIdentifierList(s, 'fields');
  if (s.has('expand')) q.expand = readExpand(s);
  const limit = s.section('limit', ['default', 'max', 'max_offset']);
  const max = limit.int('max', DEFAULT_LIST_MAX, 1, MAX_LIST_LIMIT);
  const def = limit.int('default', Math.min(DEFAULT_LIST_LIMIT, max), 1, MAX_LIST_LIMIT);
  if (def > max) limit.report.add(limit.at('default'), `must not exceed max (${max})`);
  const maxOffset = limit.int('max_offset', DEFAULT_MAX_OFFSET, 0, MAX_MAX_OFFSET);
  q.limit = { default: Math.min(def, max), max, maxOffset };
  return q;
}

/**
 * list.params: query-string name → condition using :name. An empty condition means "name = :name", so the
 * gateway always gets a condition to AND in.
 */
function readParams(s: Section): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, raw] of s.entries('params')) {
    const path = s.at(`params.${name}`);
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
      s.report.add(path, 'parameter names are identifiers (letters, digits, _)');
      continue;
    }
    if (RESERVED_PARAMS.includes(name) || name.startsWith('_')) {
      s.report.add(path, `"${name}" is reserved (${RESERVED_PARAMS.join(', ')}, names starting with "_")`);
      continue;
    }
    if (raw !== null && raw !== undefined && typeof raw !== 'string') {
      s.report.add(path, 'expected an SQL condition (a string)');
      continue;
    }
    const condition = raw?.trim() ? raw.trim() : `${name} = :${name}`;
    const used = checkPlaceholders(s, path, condition, [...TOKEN_PLACEHOLDERS, name]);
    if (used && !used.includes(name)) s.report.add(path, `condition must use its own placeholder :${name}`);
    if (used) checkCondition(s, path, condition);
    params[name] = condition;
  }
  return params;
}

/**
 * list.expand: ?expand= name → `{ field: fk_column, resource: name }`, or just the resource name (the column is
 * then `{name}_id`). Whether the resource exists and has a list is checked with the references.
 */
function readExpand(s: Section): Record<string, { field: string; resource: string }> {
  const expand: Record<string, { field: string; resource: string }> = {};
  for (const [name, raw] of s.entries('expand')) {
    const path = s.at(`expand.${name}`);
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
      s.report.add(path, 'expansion names are identifiers (letters, digits, _)');
      continue;
    }
    const entry = typeof raw === 'string' ? { field: `${name}_id`, resource: raw } : raw;
    const { field, resource } = (entry ?? {}) as { field?: unknown; resource?: unknown };
    if (typeof field !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field))
      s.report.add(path, 'expected `{ field: foreign_key_column, resource: name }` or a resource name');
    else if (typeof resource !== 'string' || !RESOURCE_NAME.test(resource))
      s.report.add(path, 'expected the name of a resource of this app (its file name without .yaml)');
    else expand[name] = { field, resource };
  }
  return expand;
}

/**
 * Role → condition; '' (or null) means no filter. `filters` is required and must have `default`: a section
 * without it would let every logged-in user reach every row, so opening one is written out
 * (`filters: { default: "" }`).
 */
function readFilters(s: Section, allowed: readonly string[]): RoleFilters {
  const filters: Record<string, string> = {};
  if (!s.has('filters')) {
    s.report.add(
      s.at('filters'),
      'is required (without it every logged-in user reaches every row): `default: "user_id = :user_id"` keeps rows to their owner, `filters: { default: "" }` opens the section to every user on purpose',
    );
    return filters;
  }
  const entries = s.entries('filters');
  for (const [role, raw] of entries) {
    const path = s.at(`filters.${role}`);
    if (!ROLE.test(role)) s.report.add(path, 'role names use letters, digits, "_" and "-" only');
    else if (raw === null) filters[role] = '';
    else if (typeof raw !== 'string') s.report.add(path, 'expected an SQL condition (a string, "" for none)');
    else {
      if (checkPlaceholders(s, path, raw, allowed)) checkCondition(s, path, raw);
      filters[role] = raw.trim();
    }
  }
  if (!entries.some(([role]) => role === 'default')) {
    s.report.add(s.at('filters'), 'needs a `default` entry (used for every role without its own)');
  }
  return filters;
}

/** create has no filters (its row is stamped with the owner); update and delete must have them. */
function readCud(s: Section, opts: { fields: boolean; filters: boolean }): CudQuery {
  const table = readIdentifier(s, 'table', { required: true }) ?? '';
  const fields = opts.fields ? readIdentifierList(s, 'fields', { required: true }) : [];
  return {
    table,
    fields,
    filters: opts.filters ? readFilters(s, WITH_ID) : {},
    references: readReferences(s, fields),
  };
}

/**
 * create/update `references`: field → resource name. Each field must be one of `fields`; whether the resource
 * exists and has a `show` is checked once every file of the app is read (checkReferences).
 */
function readReferences(s: Section, fields: readonly string[]): Record<string, string> {
  const references: Record<string, string> = {};
  for (const [field, target] of s.entries('references')) {
    const path = s.at(`references.${field}`);
    if (!fields.includes(field)) s.report.add(path, 'is not one of `fields`');
    else if (typeof target !== 'string' || !RESOURCE_NAME.test(target))
      s.report.add(path, 'expected the name of a resource of this app (its file name without .yaml)');
    else references[field] = target;
  }
  return references;
}

/**
 * Reports every reference to a resource that does not exist or has no `show` selecting its row by `:id` (a
 * show that ignores :id would find a row for any value, and check nothing). `unreadable` names resource files
 * that exist but failed to parse: their own problems are reported already.
 */
export function checkReferences(
  resource: ResourceQueries,
  report: FileReport,
  resources: Readonly<Record<string, ResourceQueries>>,
  unreadable: ReadonlySet<string>,
): void {
  for (const section of ['create', 'update'] as const) {
    for (const [field, target] of Object.entries(resource[section]?.references ?? {})) {
      const path = `${section}.references.${field}`;
      const found = Object.hasOwn(resources, target) ? resources[target] : undefined;
      if (!found) {
        if (!unreadable.has(target)) report.add(path, `no resource "${target}" in this app`);
      } else if (!found.show)
        report.add(path, `resource "${target}" has no show section to look ids up with`);
      else if (!safePlaceholderNames(found.show.query).includes('id'))
        report.add(path, `the show query of "${target}" does not select its row by :id`);
    }
  }
  for (const [name, { resource: target }] of Object.entries(resource.list?.expand ?? {})) {
    const found = Object.hasOwn(resources, target) ? resources[target] : undefined;
    if (!found) {
      if (!unreadable.has(target)) report.add(`list.expand.${name}`, `no resource "${target}" in this app`);
    } else if (!found.list)
      report.add(`list.expand.${name}`, `resource "${target}" has no list section to read its rows with`);
  }
}
