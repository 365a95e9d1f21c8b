// The list query's declared powers (DOCTECH §5.3): ?filter[col][op]=value on `list.filterable` columns,
// ?fields= among `list.fields`, ?count=true, ?expand= of `list.expand` names — and the 400 naming every
// query-string parameter the list does not know. Filter values are only ever bound as `:_fN` parameters; the
// SQL text holds the (whitelisted, quoted) column names and the operators, nothing else from the request.
import type { ReadQuery } from '@sogoms/config';
import { isIdentifier } from '@sogoms/sql';
import { nameList, validationError } from '../http/body.js';

export const FILTER_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'like', 'null'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** One ?filter[column][op]=value, values as given (`in` split on commas, `like` turned into a LIKE pattern). */
export interface Filter {
  column: string;
  op: FilterOp;
  values: string[];
}

export interface ListExtras {
  filters: Filter[];
  /** ?fields=: the columns to keep, in the order asked; undefined = every column. */
  fields?: string[];
  count: boolean;
  /** ?expand= names, each declared in list.expand. */
  expand: string[];
}

/** The parameters every list knows, besides its `list.params` and the filter[...] family. */
export const LIST_PARAMS = ['limit', 'offset', 'sort', 'after', 'fields', 'count', 'expand'] as const;
const FILTER_KEY = /^filter\[([^\][]{1,64})\](?:\[([^\][]{1,16})\])?$/;
const MAX_FILTERS = 20;
const MAX_IN_VALUES = 100;
const MAX_VALUE_LENGTH = 1_000;
const SQL_OPS: Readonly<Record<Exclude<FilterOp, 'in' | 'like' | 'null'>, string>> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value))
    throw validationError(`Query parameter "${name.slice(0, 80)}" must be given once`);
  return value;
}

function commaList(text: string, what: string, allowed: readonly string[] | undefined): string[] {
  const names = text.split(',').map((n) => n.trim());
  const bad = names.filter((n) => !allowed?.includes(n));
  if (bad.length > 0) {
    const known =
      allowed && allowed.length > 0 ? `; allowed: ${nameList(allowed)}` : '; this list allows none';
    throw validationError(`Unknown ${what}: ${nameList(bad)}${known}`, { [what]: bad.slice(0, 10) });
  }
  return [...new Set(names)];
}

/**
 * Reads ?filter[...], ?fields=, ?count=, ?expand= and refuses every other name that is neither a list
 * parameter nor one of `paramNames` (the YAML list.params): 400 naming them.
 */
export function parseListExtras(list: ReadQuery, paramNames: readonly string[], query: Query): ListExtras {
  const unknown: string[] = [];
  const filters: Filter[] = [];
  for (const name of Object.keys(query)) {
    if ((LIST_PARAMS as readonly string[]).includes(name) || paramNames.includes(name)) continue;
    const m = FILTER_KEY.exec(name);
    if (!m) {
      unknown.push(name);
      continue;
    }
    const value = single(query, name) ?? '';
    filters.push(parseFilter(list, m[1]!, m[2] ?? 'eq', value));
  }
  if (unknown.length > 0) {
    throw validationError(`Unknown query parameter(s): ${nameList(unknown)}`, {
      params: unknown.slice(0, 10),
    });
  }
  if (filters.length > MAX_FILTERS) throw validationError(`At most ${MAX_FILTERS} filters per request`);
  const extras: ListExtras = { filters, count: false, expand: [] };
  const fields = single(query, 'fields');
  if (fields !== undefined && fields !== '') extras.fields = commaList(fields, 'fields', list.fields);
  const count = single(query, 'count');
  if (count !== undefined && count !== '') {
    if (count !== 'true' && count !== 'false') throw validationError('count must be true or false');
    extras.count = count === 'true';
  }
  const expand = single(query, 'expand');
  if (expand !== undefined && expand !== '') {
    extras.expand = commaList(expand, 'expand', Object.keys(list.expand ?? {}));
  }
  return extras;
}

function parseFilter(list: ReadQuery, column: string, op: string, value: string): Filter {
  if (!list.filterable?.includes(column)) {
    const allowed = list.filterable?.length ? `; filterable: ${nameList(list.filterable)}` : '';
    throw validationError(`Cannot filter by "${column.slice(0, 64)}"${allowed}`, {
      field: column.slice(0, 64),
    });
  }
  if (!(FILTER_OPS as readonly string[]).includes(op)) {
    throw validationError(
      `Unknown filter operator "${op.slice(0, 16)}"; operators: ${FILTER_OPS.join(', ')}`,
    );
  }
  if (value.length > MAX_VALUE_LENGTH * 10) throw validationError(`Filter on "${column}" is too long`);
  const bad = (why: string) => validationError(`Filter ${column}[${op}]: ${why}`, { field: column });
  switch (op as FilterOp) {
    case 'in': {
      const values = value.split(',');
      if (values.length > MAX_IN_VALUES) throw bad(`at most ${MAX_IN_VALUES} values`);
      if (values.some((v) => v.length > MAX_VALUE_LENGTH)) throw bad('a value is too long');
      return { column, op: 'in', values };
    }
    case 'like': {
      // `*` at the start and/or the end is the only wildcard: abc* (prefix), *abc (suffix), *abc* (contains).
      const start = value.startsWith('*');
      const end = value.length > 1 && value.endsWith('*');
      const text = value.slice(start ? 1 : 0, end ? -1 : undefined);
      if (!start && !end) throw bad('write abc* (prefix), *abc (suffix) or *abc* (contains)');
      if (text === '' || text.includes('*')) throw bad('"*" goes only at the start or the end of a text');
      if (text.length > MAX_VALUE_LENGTH) throw bad('the value is too long');
      const escaped = text.replace(/[!%_]/g, (c) => `!${c}`);
      return { column, op: 'like', values: [`${start ? '%' : ''}${escaped}${end ? '%' : ''}`] };
    }
    case 'null':
      if (value !== 'true' && value !== 'false') throw bad('expected true or false');
      return { column, op: 'null', values: [value] };
    default:
      if (value.length > MAX_VALUE_LENGTH) throw bad('the value is too long');
      return { column, op: op as FilterOp, values: [value] };
  }
}

/** The AND of the filters, with `:_f0`, `:_f1`… for their values; `shape` keys the statement cache. */
export function filterCondition(filters: readonly Filter[]): {
  shape: string;
  sql: string;
  values: string[];
} {
  const terms: string[] = [];
  const shape: string[] = [];
  const values: string[] = [];
  const mark = (v: string) => {
    values.push(v);
    return `:_f${values.length - 1}`;
  };
  for (const f of filters) {
    // Whitelisted when parsed; checked again since it is pasted into SQL.
    if (!isIdentifier(f.column)) throw new Error(`not an identifier: ${f.column}`);
    const c = '`' + f.column + '`';
    if (f.op === 'null') {
      terms.push(f.values[0] === 'true' ? `${c} IS NULL` : `${c} IS NOT NULL`);
      shape.push(`${f.column}.null.${f.values[0]}`);
    } else if (f.op === 'in') {
      terms.push(`${c} IN (${f.values.map(mark).join(', ')})`);
      shape.push(`${f.column}.in.${f.values.length}`);
    } else if (f.op === 'like') {
      terms.push(`${c} LIKE ${mark(f.values[0]!)} ESCAPE '!'`);
      shape.push(`${f.column}.like`);
    } else {
      terms.push(`${c} ${SQL_OPS[f.op]} ${mark(f.values[0]!)}`);
      shape.push(`${f.column}.${f.op}`);
    }
  }
  return { shape: shape.join(','), sql: terms.join(' AND '), values };
}

/** Keeps `fields` (in that order) and the expanded names of each row. */
export function pickFields(
  rows: readonly Record<string, unknown>[],
  fields: readonly string[],
  expanded: readonly string[],
): Record<string, unknown>[] {
  const keep = [...fields, ...expanded.filter((e) => !fields.includes(e))];
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const name of keep) if (Object.hasOwn(row, name)) out[name] = row[name];
    return out;
  });
}
