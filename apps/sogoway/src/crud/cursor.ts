// Keyset pagination (?after=): the opaque cursor a list page hands out as meta.next, and the cut of a page read
// one row too long (that extra row is how the gateway knows a next page exists) — done on the JSON text
// sogoms-db sent, without parsing every row.
import { validationError } from '../http/body.js';

/** A sort-key value as a cursor carries it (bound as a parameter, never pasted into SQL). */
export type CursorValue = string | number | null;

/** Where a page ends: the sort it was read with ('' = the list's default order) and its last row's keys. */
export interface Cursor {
  sort: string;
  values: CursorValue[];
}

const MAX_CURSOR_LENGTH = 4096;
const MAX_TEXT_VALUE = 1000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The cursor text: base64url of the JSON array [sort, ...values]. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, ...cursor.values]), 'utf8').toString('base64url');
}

function badCursor(): Error {
  return validationError('Invalid cursor in "after": pass meta.next of a previous page as it is');
}

/** Reads an ?after= value; anything that is not a cursor this gateway made is a 400 VALIDATION_ERROR. */
export function decodeCursor(text: string): Cursor {
  if (text.length > MAX_CURSOR_LENGTH || !BASE64URL.test(text)) throw badCursor();
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(data) || data.length < 2 || typeof data[0] !== 'string') throw badCursor();
  const [sort, ...values] = data as [string, ...unknown[]];
  if (sort.length > 400 || !values.every(isCursorValue)) throw badCursor();
  return { sort, values };
}

function isCursorValue(v: unknown): v is CursorValue {
  if (v === null) return true;
  if (typeof v === 'string') return v.length <= MAX_TEXT_VALUE;
  return typeof v === 'number' && Number.isFinite(v);
}

/** The cursor values of a row for the given key columns; undefined when the row lacks one (no next then). */
export function rowKeys(row: Record<string, unknown>, columns: readonly string[]): CursorValue[] | undefined {
  const values: CursorValue[] = [];
  for (const column of columns) {
    const v = Object.hasOwn(row, column) ? row[column] : undefined;
    if (!isCursorValue(v)) return undefined;
    values.push(v);
  }
  return values;
}

/**
 * Keeps the first `limit` rows of a JSON array of row objects (read with LIMIT limit + 1). `last` is the last
 * kept row, parsed, when a row was cut (there is a next page); undefined when the page is the end.
 *
 * Rows come from JSON.stringify, so every row starts with the same first key; the text `},{"key":` can only
 * be a row boundary (inside a string its quotes would be escaped, and a string's closing quote is never
 * followed by a key).
 */
export function cutPage(json: string, limit: number): { json: string; last?: Record<string, unknown> } {
  if (json.length < 4 || json[0] !== '[' || json[1] !== '{' || json[2] !== '"') return { json };
  const keyEnd = closingQuote(json, 3);
  if (keyEnd < 0 || json[keyEnd + 1] !== ':') return { json };
  const marker = `},${json.slice(1, keyEnd + 1)}:`;
  const ends: number[] = [];
  for (let at = json.indexOf(marker); at !== -1 && ends.length < limit; at = json.indexOf(marker, at + 1)) {
    ends.push(at);
  }
  if (ends.length < limit) return { json };
  const cut = ends[limit - 1]!;
  const start = limit >= 2 ? ends[limit - 2]! + 2 : 1;
  return {
    json: `${json.slice(0, cut + 1)}]`,
    last: JSON.parse(json.slice(start, cut + 1)) as Record<string, unknown>,
  };
}

/** Index of the unescaped `"` closing the string whose content starts at `from`; -1 if none. */
function closingQuote(json: string, from: number): number {
  for (let at = json.indexOf('"', from); at !== -1; at = json.indexOf('"', at + 1)) {
    let slashes = 0;
    while (json[at - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return at;
  }
  return -1;
}
