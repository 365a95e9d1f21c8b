// Keyset pagination in the compile step (issue "many tenants, big tables", item 2): the cursor is opaque,
// validated, and its values are bound as parameters — a cursor carrying SQL never reaches the SQL text. The
// decodeCursor, rowKeys and cutPage blocks pin each check at its edge (the last cursor accepted, the first
// refused) and each guard of the page cut on text that is not a JSON array of rows.
import type { ReadQuery } from '@sogoms/config';
import { isSogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { bind, compileResource, keysetCondition, plainOrder } from '../src/crud/compile.js';
import { cutPage, decodeCursor, encodeCursor, rowKeys } from '../src/crud/cursor.js';
import { parseListQuery } from '../src/crud/validate.js';

const list: ReadQuery = {
  query: 'SELECT id, user_id, title, due_date FROM tasks',
  filters: { default: 'user_id = :user_id' },
  params: { done: 'done = :done' },
  sortable: ['title', 'due_date'],
  order: 'position ASC, id ASC',
  limit: { default: 20, max: 100, maxOffset: 1000 },
};
const plan = compileResource({ name: 'tasks', ownerField: 'user_id', list }).list!;
const OWN = { key: 'default', sql: 'user_id = :user_id' };
const who = { userId: 7, role: 'user', email: 'u@x.test' };
const cursor = (sort: string, ...values: unknown[]): string =>
  Buffer.from(JSON.stringify([sort, ...values])).toString('base64url');

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isSogomsError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('keyset statements', () => {
  it('after a cursor: the keyset condition ANDed in, values as markers after the filters, key as tie-breaker', () => {
    const s = plan.statement(OWN, [true], '-due_date', { kind: 'after', nulls: [false, false] });
    expect(s.text).toBe(
      'SELECT id, user_id, title, due_date FROM tasks WHERE (((user_id = ?)) AND (done = ?)) AND ((`due_date` < ? OR `due_date` IS NULL) OR (`due_date` = ? AND `id` < ?)) ORDER BY `due_date` DESC, `id` DESC LIMIT ? OFFSET ?',
    );
    expect(bind(s, { ...who, params: { done: '1' }, after: ['2024-05-01', 12] })).toEqual([
      7,
      '1',
      '2024-05-01',
      '2024-05-01',
      12,
    ]);
  });

  it('a NULL cursor value is written IS NULL (NULLs sort first ascending, on both databases)', () => {
    expect(keysetCondition(plainOrder('due_date, id')!, [true, false], 'id')).toBe(
      '`due_date` IS NOT NULL OR (`due_date` IS NULL AND `id` > :_after1)',
    );
    expect(keysetCondition(plainOrder('due_date DESC, id DESC')!, [true, false], 'id')).toBe(
      '(`due_date` IS NULL AND `id` < :_after1)',
    );
  });

  it('the default order is paged when it is a plain column list; an expression order is not', () => {
    expect(plan.keys('')).toEqual([
      { column: 'position', desc: false },
      { column: 'id', desc: false },
    ]);
    const odd = compileResource({
      name: 'x',
      ownerField: 'user_id',
      list: { ...list, order: 'FIELD(status, 3, 1), id' },
    }).list!;
    expect(odd.keys('')).toBeUndefined();
    expect(odd.statement(OWN, [false], '').text).toContain('ORDER BY FIELD(status, 3, 1), id LIMIT');
    expect(odd.keys('title')).toEqual([
      { column: 'title', desc: false },
      { column: 'id', desc: false },
    ]);
  });

  it('a deep offset page is a deferred join on the key, with the same args', () => {
    const s = plan.statement(OWN, [false], '', { kind: 'deferred' });
    expect(s.text).toBe(
      'SELECT id, user_id, title, due_date FROM tasks JOIN (SELECT `id` FROM tasks WHERE (user_id = ?) ORDER BY `position` ASC, `id` ASC LIMIT ? OFFSET ?) AS sogoms_page USING (`id`) ORDER BY `position` ASC, `id` ASC',
    );
    expect(bind(s, who)).toEqual([7]);
  });
});

describe('cursors', () => {
  it('round-trip: base64url of [sort, ...values]', () => {
    const text = encodeCursor({ sort: '-title', values: ["O'Brien", 5] });
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual({ sort: '-title', values: ["O'Brien", 5] });
  });

  it('SQL in a cursor stays a bound value: the statement text is the same as for a harmless cursor', () => {
    const evil = parseListQuery(list, ['done'], {
      after: cursor('title', "x') OR 1=1 -- ", '1; DROP TABLE tasks'),
    });
    const plain = parseListQuery(list, ['done'], { after: cursor('title', 'a', 2) });
    const mode = (values: readonly unknown[]) => ({
      kind: 'after' as const,
      nulls: values.map((v) => v === null),
    });
    const s = plan.statement(OWN, evil.given, evil.sort, mode(evil.after!.values));
    expect(s).toBe(plan.statement(OWN, plain.given, plain.sort, mode(plain.after!.values)));
    expect(s.text).not.toContain('DROP');
    expect(bind(s, { ...who, after: evil.after!.values })).toEqual([
      7,
      "x') OR 1=1 -- ",
      "x') OR 1=1 -- ",
      '1; DROP TABLE tasks',
    ]);
  });

  it.each([
    ['not base64url', 'a b'],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['an object', Buffer.from('{"sort":"id"}').toString('base64url')],
    ['no values', cursor('title')],
    ['an object value', cursor('title', { toString: 1 }, 1)],
    ['a boolean value', cursor('title', true, 1)],
    ['a huge text value', cursor('title', 'x'.repeat(1001), 1)],
    ['too long', 'A'.repeat(5000)],
  ])('a cursor that is %s is a 400 VALIDATION_ERROR', (_what, after) => {
    expect(refusal(() => parseListQuery(list, [], { after }))).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Invalid cursor in "after": pass meta.next of a previous page as it is',
    });
  });

  it('a cursor sorting by a column that is not sortable (an injection in the sort) is a 400', () => {
    expect(refusal(() => parseListQuery(list, [], { after: cursor('title; DROP TABLE x', 'a', 1) }))).toEqual(
      {
        code: 'VALIDATION_ERROR',
        message: 'Cannot sort by "title; DROP TABLE x"; sortable: title, due_date',
      },
    );
  });

  it('the cursor carries its sort; a different ?sort= or an ?offset= beside it is a 400', () => {
    expect(parseListQuery(list, [], { after: cursor('-title', 'a', 1) }).sort).toBe('-title');
    expect(
      refusal(() => parseListQuery(list, [], { after: cursor('-title', 'a', 1), sort: 'title' })).message,
    ).toMatch(/made for another sort/);
    expect(refusal(() => parseListQuery(list, [], { after: cursor('', 1, 1), offset: '20' })).message).toBe(
      'offset cannot be combined with after',
    );
  });

  it('an offset past limit.max_offset is a 400 naming the bound and the way further', () => {
    expect(parseListQuery(list, [], { offset: '1000' }).offset).toBe(1000);
    expect(refusal(() => parseListQuery(list, [], { offset: '1001' }))).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'offset must not exceed 1000; follow meta.next (?after=) to read further',
    });
  });
});

describe('cutPage', () => {
  const rows = [
    { id: 1, title: '},{"id":9,"title":"fake"}' },
    { id: 2, title: 'a\\"},{"id":' },
    { id: 3, title: null },
  ];
  const json = JSON.stringify(rows);

  it('keeps `limit` rows and parses the last kept one when a row was cut', () => {
    expect(cutPage(json, 2)).toEqual({ json: JSON.stringify(rows.slice(0, 2)), last: rows[1] });
    expect(cutPage(json, 1)).toEqual({ json: JSON.stringify(rows.slice(0, 1)), last: rows[0] });
  });

  it('a page with no extra row is the end: left as it is, no last row', () => {
    expect(cutPage(json, 3)).toEqual({ json });
    expect(cutPage('[]', 3)).toEqual({ json: '[]' });
  });
});

describe('decodeCursor at each bound', () => {
  const x = (n: number) => 'x'.repeat(n);
  // [sort, 1000 × x three times, k × x]: 3072 bytes (4096 base64url characters) at k = 56, 3073 at k = 57.
  const sized = (k: number) => cursor('', x(1000), x(1000), x(1000), x(k));
  const valid = cursor('title', 'a', 1);

  it('the sized cursors are 4096 and 4098 characters long (4097 is no base64url length)', () => {
    expect(sized(56)).toHaveLength(4096);
    expect(sized(57)).toHaveLength(4098);
  });

  it.each<[string, string, { sort: string; values: unknown[] }]>([
    ['one value (the shortest cursor)', cursor('title', 'a'), { sort: 'title', values: ['a'] }],
    ['a NULL value', cursor('due_date', null, 3), { sort: 'due_date', values: [null, 3] }],
    ['a text value of 1000 characters', cursor('title', x(1000), 1), { sort: 'title', values: [x(1000), 1] }],
    ['a sort of 400 characters', cursor(x(400), 1), { sort: x(400), values: [1] }],
    ['4096 characters', sized(56), { sort: '', values: [x(1000), x(1000), x(1000), x(56)] }],
    ['a negative and a fractional number', cursor('', -1.5, 0), { sort: '', values: [-1.5, 0] }],
  ])('accepts %s', (_what, text, expected) => {
    expect(decodeCursor(text)).toEqual(expected);
  });

  it.each([
    ['4098 characters', sized(57)],
    ['a character outside base64url before a valid cursor', `!${valid}`],
    ['a character outside base64url after a valid cursor', `${valid}!`],
    ['base64 padding', `${valid}==`],
    ['a sort that is not a string', cursor(1 as unknown as string, 'a')],
    ['a sort of 401 characters', cursor(x(401), 1)],
    ['a text value of 1001 characters', cursor('title', x(1001))],
    [
      'a number too big for a double (1e400 parses as Infinity)',
      Buffer.from('["",1e400]').toString('base64url'),
    ],
    ['an array value', cursor('title', [1])],
    ['the empty array', cursor('')],
    ['an empty text', ''],
  ])('refuses %s', (_what, text) => {
    expect(refusal(() => decodeCursor(text))).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Invalid cursor in "after": pass meta.next of a previous page as it is',
    });
  });
});

describe('rowKeys: the cursor values of the last row', () => {
  it.each<[string, Record<string, unknown>, string[], unknown[] | undefined]>([
    ['the key columns in order', { id: 3, title: 'a', due: null }, ['due', 'title', 'id'], [null, 'a', 3]],
    ['no key column', { id: 3 }, [], []],
    ['a key column the row lacks: no next page', { id: 3 }, ['title', 'id'], undefined],
    ['an inherited name is not a column', { id: 3 }, ['toString'], undefined],
    ['an object value', { id: 3, meta: { a: 1 } }, ['meta', 'id'], undefined],
    ['a boolean value', { done: true }, ['done'], undefined],
    ['a non-finite number', { score: Number.POSITIVE_INFINITY }, ['score'], undefined],
    ['NaN', { score: Number.NaN }, ['score'], undefined],
    ['a text over 1000 characters', { title: 'x'.repeat(1001) }, ['title'], undefined],
  ])('%s', (_what, row, columns, expected) => {
    expect(rowKeys(row, columns)).toEqual(expected);
  });
});

describe('cutPage guards: text that is not rows from JSON.stringify is left whole', () => {
  // Each row would be cut at limit 1 if its guard were missing (the marker `},<first key>:` is in the text).
  it.each([
    ['an object before the rows', '{{"a":1},{"a":2}]'],
    ['an array of arrays', '[["a":1},["a":2}]'],
    ['a first key not opened by a quote', '[{1":1},{1":2}]'],
    ['a first key never closed', '[{"a},:1},:2'],
    ['a first key not followed by a colon', '[{"a"x},{"a":1}]'],
    ['an unterminated first key', '[{"abc'],
    ['three characters', '[{"'],
    ['the empty array', '[]'],
  ])('%s', (_what, json) => {
    expect(cutPage(json, 1)).toStrictEqual({ json });
  });
});

describe('cutPage finds the end of a first key holding escapes', () => {
  it.each([
    ['an escaped quote', 'a"b'],
    ['a final backslash (an even run of backslashes before the quote)', 'a\\'],
    ['a backslash then an escaped quote', '\\"'],
  ])('%s', (_what, key) => {
    const rows = [{ [key]: 1 }, { [key]: 2 }, { [key]: 3 }];
    expect(cutPage(JSON.stringify(rows), 2)).toEqual({
      json: JSON.stringify(rows.slice(0, 2)),
      last: rows[1],
    });
    expect(cutPage(JSON.stringify(rows), 1)).toEqual({
      json: JSON.stringify(rows.slice(0, 1)),
      last: rows[0],
    });
  });

  it('encodeCursor writes UTF-8 (a cursor of non-ASCII text round-trips)', () => {
    const text = encodeCursor({ sort: 'title', values: ['Ærø — 日本', 1] });
    expect(Buffer.from(text, 'base64url').toString('utf8')).toBe('["title","Ærø — 日本",1]');
    expect(decodeCursor(text)).toEqual({ sort: 'title', values: ['Ærø — 日本', 1] });
  });
});
