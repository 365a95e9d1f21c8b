// Input checks of the generic CRUD (SPEC §5): ids, list query strings, bodies. Every failure is a 400
// VALIDATION_ERROR naming what is wrong; nothing from the request ever reaches SQL text.
import type { ReadQuery } from '@sogoms/config';
import { nameList, requireObject, type Scalar, scalarField, validationError } from '../http/body.js';

const ID = /^[1-9][0-9]{0,15}$/;
const COUNT = /^[0-9]{1,15}$/;
const MAX_OFFSET = 1_000_000_000;
const MAX_PARAM_LENGTH = 1_000;

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

/** Reads ?limit, ?offset, ?sort and the declared params; unknown query-string names are ignored. */
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
  const sort = single(query, 'sort') ?? '';
  if (sort !== '') {
    const column = sort.startsWith('-') ? sort.slice(1) : sort;
    if (!list.sortable.includes(column)) {
      const allowed = list.sortable.length > 0 ? `; sortable: ${list.sortable.join(', ')}` : '';
      throw validationError(`Cannot sort by "${column.slice(0, 64)}"${allowed}`);
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
  return { limit, offset, sort, given, params };
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
