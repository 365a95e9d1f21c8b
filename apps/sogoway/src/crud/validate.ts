// Input checks of the generic CRUD (SPEC §5): ids, list query strings, bodies. Every failure is a 400
// VALIDATION_ERROR naming what is wrong; nothing from the request ever reaches SQL text.
import type { ReadQuery } from '@sogoms/config';
import { nameList, requireObject, type Scalar, scalarField, validationError } from '../http/body.js';
import type { ColumnInfo, TableColumns } from './columns.js';
import { type Cursor, decodeCursor } from './cursor.js';

const ID = /^[1-9][0-9]{0,15}$/;
const COUNT = /^[0-9]{1,15}$/;
const MAX_OFFSET = 1_000_000_000;
/** The default of `limit.max_offset` (packages/config DEFAULT_MAX_OFFSET), for a ReadQuery built without it. */
const DEFAULT_MAX_OFFSET = 1_000;
const MAX_PARAM_LENGTH = 1_000;
const MAX_SORT_KEYS = 5;

/** A positive integer id from a path segment or a body value (a number, or a string of digits), else undefined. */
export function idOf(value: unknown): number | undefined {
  const id =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && ID.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(id) && id >= 1 ? id : undefined;
}

/** A path id: a positive integer, else 400. */
export function parseId(raw: string): number {
  const id = idOf(raw);
  if (id === undefined) throw validationError('Id must be a positive integer');
  return id;
}

export interface ListRequest {
  limit: number;
  offset: number;
  /** '' for the default order, else a sortable column, "-" in front for descending. */
  sort: string;
  /** ?after=: where the previous page ended (its sort is `sort`); offset is 0 then. */
  after?: Cursor;
  /** One flag per ListPlan.paramNames entry. */
  given: boolean[];
  params: Record<string, string>;
}

type Query = Record<string, string | string[] | undefined>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw validationError(`Query parameter "${name}" must be given once`);
  return value;
}

/**
 * Reads ?limit, ?offset, ?after, ?sort and the declared params (the rest: crud/list-query.ts). An
 * offset past `limit.max_offset` is refused (a deep offset makes the database walk every skipped row); the
 * cursor of ?after= carries its sort, which a ?sort= given beside it must repeat.
 */
export function parseListQuery(list: ReadQuery, paramNames: readonly string[], query: Query): ListRequest {
  const rawLimit = single(query, 'limit');
  let limit = list.limit.default;
  if (rawLimit !== undefined && rawLimit !== '') {
    if (!COUNT.test(rawLimit) || Number(rawLimit) < 1)
      throw validationError('limit must be a positive integer');
    // Asking for more than the maximum gives the maximum; meta.limit tells the client what it got.
    limit = Math.min(Number(rawLimit), list.limit.max);
  }
  const rawOffset = single(query, 'offset');
  let offset = 0;
  if (rawOffset !== undefined && rawOffset !== '') {
    if (!COUNT.test(rawOffset) || Number(rawOffset) > MAX_OFFSET) {
      throw validationError('offset must be a non-negative integer');
    }
    offset = Number(rawOffset);
  }
  const maxOffset = list.limit.maxOffset ?? DEFAULT_MAX_OFFSET;
  if (offset > maxOffset) {
    throw validationError(`offset must not exceed ${maxOffset}; follow meta.next (?after=) to read further`);
  }
  const rawAfter = single(query, 'after');
  const after = rawAfter === undefined || rawAfter === '' ? undefined : decodeCursor(rawAfter);
  let sort = single(query, 'sort') ?? '';
  if (after) {
    if (offset > 0) throw validationError('offset cannot be combined with after');
    if (query['sort'] !== undefined && sort !== after.sort) {
      throw validationError('The cursor in "after" was made for another sort: repeat its ?sort= or drop it');
    }
    sort = after.sort;
  }
  if (sort !== '') {
    // "col,-col2": several keys, each sortable and named once (the list's key ends the order anyway).
    const parts = sort.split(',');
    if (parts.length > MAX_SORT_KEYS) throw validationError(`At most ${MAX_SORT_KEYS} sort keys`);
    const seen: string[] = [];
    for (const part of parts) {
      const column = part.startsWith('-') ? part.slice(1) : part;
      if (!list.sortable.includes(column)) {
        const allowed = list.sortable.length > 0 ? `; sortable: ${list.sortable.join(', ')}` : '';
        throw validationError(`Cannot sort by "${column.slice(0, 64)}"${allowed}`);
      }
      if (seen.includes(column)) throw validationError(`Sort key "${column}" is given twice`);
      seen.push(column);
    }
  }
  const given: boolean[] = [];
  const params: Record<string, string> = {};
  for (const name of paramNames) {
    const value = single(query, name);
    if (value !== undefined && value.length > MAX_PARAM_LENGTH) {
      throw validationError(`Query parameter "${name}" is too long`);
    }
    given.push(value !== undefined);
    if (value !== undefined) params[name] = value;
  }
  return after ? { limit, offset, sort, after, given, params } : { limit, offset, sort, given, params };
}

/**
 * The columns and values a create/update body sets: keys must be among `fields` (else 400 naming the others),
 * values scalars. The owner column is ignored wherever it appears — listed in `fields` or not — because its
 * value comes from the token only. Columns follow the YAML order.
 */
export function bodyColumns(
  body: unknown,
  fields: readonly string[],
  ownerField: string,
): { columns: string[]; values: Scalar[] } {
  const object = requireObject(body);
  const unknown = Object.keys(object).filter((key) => key !== ownerField && !fields.includes(key));
  if (unknown.length > 0) {
    throw validationError(`Unknown field(s): ${nameList(unknown)}`, { fields: unknown.slice(0, 10) });
  }
  const columns: string[] = [];
  const values: Scalar[] = [];
  for (const field of fields) {
    if (field === ownerField || !Object.hasOwn(object, field)) continue;
    values.push(scalarField(field, object[field]));
    columns.push(field);
  }
  return { columns, values };
}

/** 400 when a body sets no column. */
export function requireSomeColumn(
  columns: readonly string[],
  fields: readonly string[],
  ownerField: string,
): void {
  if (columns.length === 0) {
    const settable = fields.filter((f) => f !== ownerField);
    throw validationError(`Body must set at least one of: ${nameList(settable)}`);
  }
}

const INTEGER_TEXT = /^-?[0-9]{1,16}$/;
const NUMBER_TEXT = /^-?[0-9]{1,30}(?:\.[0-9]{1,30})?$/;
const DATE_TEXT = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * Checks the values of a create/update against the table's column types (crud/columns.ts), in place: digit
 * strings become numbers for integer and decimal columns, numbers become their text for text columns, so that
 * both drivers store the same thing. 400 VALIDATION_ERROR naming the first field that does not fit.
 */
export function checkColumnValues(types: TableColumns, columns: readonly string[], values: Scalar[]): void {
  if (types.size === 0) return;
  for (let i = 0; i < columns.length; i++) {
    const column = types.get(columns[i]!);
    if (column !== undefined) values[i] = columnValue(column, values[i]!);
  }
}

function columnValue(column: ColumnInfo, value: Scalar): Scalar {
  const field = column.name;
  if (value === null) {
    if (column.nullable) return null;
    throw validationError(`Field "${field}" must not be null`, { field });
  }
  switch (column.type) {
    case 'integer': {
      const n = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
      if (typeof n === 'boolean') return n;
      if (Number.isSafeInteger(n) && inRange(column, n as number)) return n;
      throw validationError(`Field "${field}" must be an integer ${rangeText(column)}`.trimEnd(), { field });
    }
    case 'number': {
      const n = typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n) && inRange(column, n)) return n;
      throw validationError(`Field "${field}" must be a number ${rangeText(column)}`.trimEnd(), { field });
    }
    case 'text': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text === 'string') checkLength(column, text);
      return text;
    }
    case 'date':
      if (typeof value === 'string' && isDate(value)) return value;
      throw validationError(`Field "${field}" must be a date (YYYY-MM-DD)`, { field });
    default:
      return value;
  }
}

function inRange(column: ColumnInfo, n: number): boolean {
  return (column.min === undefined || n >= column.min) && (column.max === undefined || n <= column.max);
}

function rangeText(column: ColumnInfo): string {
  if (column.min !== undefined && column.max !== undefined) return `between ${column.min} and ${column.max}`;
  if (column.min !== undefined) return `of at least ${column.min}`;
  return column.max === undefined ? '' : `of at most ${column.max}`;
}

/** Characters as both databases count them (code points), bytes as UTF-8; the common short case costs nothing. */
function checkLength(column: ColumnInfo, text: string): void {
  const { max_length: maxChars, max_bytes: maxBytes, name: field } = column;
  // A UTF-16 length within the limit bounds the code points; 3 bytes per UTF-16 unit bounds the UTF-8 size.
  if (maxChars !== undefined && text.length > maxChars && codePoints(text, maxChars) > maxChars)
    throw validationError(`Field "${field}" is too long (max ${maxChars} characters)`, { field });
  if (maxBytes !== undefined && text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)
    throw validationError(`Field "${field}" is too long (max ${maxBytes} bytes)`, { field });
}

/** Code points of `text`, counting stops once past `limit`. */
function codePoints(text: string, limit: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n <= limit; i++, n++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}

/** A real calendar date from 1000-01-01 to 9999-12-31 (MariaDB's DATE range). */
function isDate(text: string): boolean {
  const m = DATE_TEXT.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
