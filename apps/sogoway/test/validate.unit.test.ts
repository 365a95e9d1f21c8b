// Unit tests of the generic CRUD input checks (crud/validate.ts), table-driven: ids, list query strings, bodies
// and column values. Each row pins a behaviour that mutation testing (`pnpm test:mutation crud`,
// docs/MUTATION.md) found unpinned by the in-process gateway tests alone.
import type { ReadQuery } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../src/crud/columns.js';
import { encodeCursor } from '../src/crud/cursor.js';
import {
  bodyColumns,
  checkColumnValues,
  idOf,
  parseId,
  parseListQuery,
  requireSomeColumn,
} from '../src/crud/validate.js';

/** The 400 a call throws, as "message" (plus data when there is some). */
function refusal(run: () => unknown): { message: string; data?: Record<string, unknown> } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SogomsError);
    expect((err as SogomsError).code).toBe(ErrorCode.VALIDATION_ERROR);
    const { message, data } = err as SogomsError;
    return data === undefined ? { message } : { message, data };
  }
  throw new Error('expected a 400');
}

describe('idOf / parseId', () => {
  const cases: Array<[unknown, number | undefined]> = [
    [1, 1],
    ['1', 1],
    ['42', 42],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['9007199254740993', undefined], // 16 digits, past the safe integers
    ['12345678901234567', undefined], // 17 digits
    [2 ** 53, undefined],
    [0, undefined],
    ['0', undefined],
    ['01', undefined],
    [-1, undefined],
    ['-1', undefined],
    [1.5, undefined],
    ['1.5', undefined],
    ['1e3', undefined],
    [' 1', undefined],
    ['1 ', undefined],
    ['', undefined],
    [Number.NaN, undefined],
    [true, undefined],
    [null, undefined],
    [[1], undefined],
  ];
  it.each(cases)('idOf(%j) = %j', (value, expected) => {
    expect(idOf(value)).toBe(expected);
  });

  it('parseId answers the id or a 400', () => {
    expect(parseId('7')).toBe(7);
    expect(refusal(() => parseId('7x'))).toEqual({ message: 'Id must be a positive integer' });
  });
});

describe('parseListQuery', () => {
  const list: ReadQuery = {
    query: 'SELECT id FROM t',
    filters: { default: '' },
    params: {},
    sortable: ['title', 'position'],
    limit: { default: 50, max: 500, maxOffset: 1_000_000_000 },
  };
  const parse = (query: Record<string, string | string[] | undefined>, names: string[] = [], l = list) =>
    parseListQuery(l, names, query);

  it('defaults: limit from the YAML, offset 0, default order, no params', () => {
    expect(parse({})).toEqual({ limit: 50, offset: 0, sort: '', given: [], params: {} });
    expect(parse({ limit: '', offset: '', sort: '' })).toMatchObject({ limit: 50, offset: 0, sort: '' });
  });

  const accepted: Array<[Record<string, string>, object]> = [
    [{ limit: '1' }, { limit: 1 }],
    [{ limit: '500' }, { limit: 500 }],
    [{ limit: '501' }, { limit: 500 }],
    [{ limit: '999999999999999' }, { limit: 500 }],
    [{ offset: '0' }, { offset: 0 }],
    [{ offset: '1000000000' }, { offset: 1_000_000_000 }],
    [{ sort: 'title' }, { sort: 'title' }],
    [{ sort: '-position' }, { sort: '-position' }],
  ];
  it.each(accepted)('accepts %j', (query, expected) => {
    expect(parse(query)).toMatchObject(expected);
  });

  const refused: Array<[Record<string, string | string[]>, string]> = [
    [{ limit: '0' }, 'limit must be a positive integer'],
    [{ limit: '00' }, 'limit must be a positive integer'],
    [{ limit: '-1' }, 'limit must be a positive integer'],
    [{ limit: '1.5' }, 'limit must be a positive integer'],
    [{ limit: 'x1' }, 'limit must be a positive integer'],
    [{ limit: '1x' }, 'limit must be a positive integer'],
    [{ limit: '1234567890123456' }, 'limit must be a positive integer'],
    [{ limit: ['1', '2'] }, 'Query parameter "limit" must be given once'],
    [{ offset: '1000000001' }, 'offset must be a non-negative integer'],
    [{ offset: '-1' }, 'offset must be a non-negative integer'],
    [{ offset: 'x0' }, 'offset must be a non-negative integer'],
    [{ offset: '0x' }, 'offset must be a non-negative integer'],
    [{ offset: '1234567890123456' }, 'offset must be a non-negative integer'],
    [{ offset: ['0', '1'] }, 'Query parameter "offset" must be given once'],
    [{ sort: ['title', 'position'] }, 'Query parameter "sort" must be given once'],
    [{ sort: 'secret' }, 'Cannot sort by "secret"; sortable: title, position'],
    [{ sort: '-secret' }, 'Cannot sort by "secret"; sortable: title, position'],
    [{ sort: '--title' }, 'Cannot sort by "-title"; sortable: title, position'],
    [{ sort: 'x'.repeat(100) }, `Cannot sort by "${'x'.repeat(64)}"; sortable: title, position`],
  ];
  it.each(refused)('refuses %j', (query, message) => {
    expect(refusal(() => parse(query)).message).toBe(message);
  });

  it('names no sortable column when there is none', () => {
    expect(refusal(() => parse({ sort: 'title' }, [], { ...list, sortable: [] })).message).toBe(
      'Cannot sort by "title"',
    );
  });

  it('flags each declared param, keeps its value, ignores unknown names', () => {
    expect(parse({ q: 'abc', other: 'x', p: '' }, ['p', 'q', 'r'])).toEqual({
      limit: 50,
      offset: 0,
      sort: '',
      given: [true, true, false],
      params: { p: '', q: 'abc' },
    });
  });

  it('sets only the params that were given (no key for an absent one)', () => {
    expect(Object.keys(parse({ q: 'abc' }, ['p', 'q', 'r']).params)).toEqual(['q']);
  });

  it('bounds a param value at 1000 characters and refuses it given twice', () => {
    expect(parse({ q: 'x'.repeat(1000) }, ['q']).params.q).toHaveLength(1000);
    expect(refusal(() => parse({ q: 'x'.repeat(1001) }, ['q'])).message).toBe(
      'Query parameter "q" is too long',
    );
    expect(refusal(() => parse({ q: ['a', 'b'] }, ['q'])).message).toBe(
      'Query parameter "q" must be given once',
    );
  });
});

describe('parseListQuery: max_offset, sort keys and the ?after= cursor', () => {
  const list: ReadQuery = {
    query: 'SELECT id FROM t',
    filters: { default: '' },
    params: {},
    sortable: ['a', 'b', 'c', 'd', 'e', 'f'],
    limit: { default: 50, max: 500 },
  };
  const parse = (query: Record<string, string | string[]>, l: ReadQuery = list) =>
    parseListQuery(l, [], query);
  const after = (sort: string, ...values: Array<string | number | null>) => encodeCursor({ sort, values });

  const accepted: Array<[string, Record<string, string>, ReadQuery, object]> = [
    ['offset at the default max_offset (1000)', { offset: '1000' }, list, { offset: 1000, sort: '' }],
    [
      'offset at a configured max_offset',
      { offset: '10' },
      { ...list, limit: { ...list.limit, maxOffset: 10 } },
      { offset: 10 },
    ],
    ['five sort keys', { sort: 'a,-b,c,-d,e' }, list, { sort: 'a,-b,c,-d,e' }],
    [
      'an empty ?after= is no cursor',
      { after: '' },
      list,
      { limit: 50, offset: 0, sort: '', given: [], params: {} },
    ],
    [
      'the cursor brings its sort',
      { after: after('-b,a', 'x', 3) },
      list,
      { sort: '-b,a', after: { sort: '-b,a', values: ['x', 3] } },
    ],
    [
      'the cursor with its sort repeated, and offset 0',
      { after: after('a', null, 1), sort: 'a', offset: '0' },
      list,
      { offset: 0, sort: 'a', after: { sort: 'a', values: [null, 1] } },
    ],
    [
      'a cursor of the default order with an empty ?sort=',
      { after: after('', 5), sort: '' },
      list,
      { sort: '', after: { sort: '', values: [5] } },
    ],
  ];
  it.each(accepted)('accepts %s', (_name, query, l, expected) => {
    expect(parse(query, l)).toEqual({ limit: 50, offset: 0, sort: '', given: [], params: {}, ...expected });
  });

  const refused: Array<[string, Record<string, string | string[]>, ReadQuery, string]> = [
    [
      'an offset past the default max_offset',
      { offset: '1001' },
      list,
      'offset must not exceed 1000; follow meta.next (?after=) to read further',
    ],
    [
      'an offset past a configured max_offset',
      { offset: '11' },
      { ...list, limit: { ...list.limit, maxOffset: 10 } },
      'offset must not exceed 10; follow meta.next (?after=) to read further',
    ],
    [
      'any offset when max_offset is 0',
      { offset: '1' },
      { ...list, limit: { ...list.limit, maxOffset: 0 } },
      'offset must not exceed 0; follow meta.next (?after=) to read further',
    ],
    ['six sort keys', { sort: 'a,b,c,d,e,f' }, list, 'At most 5 sort keys'],
    ['a sort key given twice', { sort: 'a,-a' }, list, 'Sort key "a" is given twice'],
    ['a sort key given twice, apart', { sort: 'b,a,c,b' }, list, 'Sort key "b" is given twice'],
    ['an empty sort key', { sort: 'a,' }, list, 'Cannot sort by ""; sortable: a, b, c, d, e, f'],
    [
      'an offset beside a cursor',
      { after: after('a', 1, 2), offset: '1' },
      list,
      'offset cannot be combined with after',
    ],
    [
      'another sort beside a cursor',
      { after: after('a', 1, 2), sort: '-a' },
      list,
      'The cursor in "after" was made for another sort: repeat its ?sort= or drop it',
    ],
    [
      'an empty ?sort= beside a cursor of another sort',
      { after: after('a', 1, 2), sort: '' },
      list,
      'The cursor in "after" was made for another sort: repeat its ?sort= or drop it',
    ],
    [
      'a cursor whose sort is not sortable',
      { after: after('secret', 1, 2) },
      list,
      'Cannot sort by "secret"; sortable: a, b, c, d, e, f',
    ],
    [
      'a cursor with more sort keys than allowed',
      { after: after('a,b,c,d,e,f', 1, 2, 3, 4, 5, 6, 7) },
      list,
      'At most 5 sort keys',
    ],
    [
      'a cursor this gateway did not make',
      { after: 'not a cursor' },
      list,
      'Invalid cursor in "after": pass meta.next of a previous page as it is',
    ],
    [
      'a cursor of the wrong shape',
      { after: Buffer.from('{"sort":"a"}').toString('base64url') },
      list,
      'Invalid cursor in "after": pass meta.next of a previous page as it is',
    ],
    [
      'a cursor given twice',
      { after: [after('a', 1), after('a', 2)] },
      list,
      'Query parameter "after" must be given once',
    ],
  ];
  it.each(refused)('refuses %s', (_name, query, l, message) => {
    expect(refusal(() => parse(query, l)).message).toBe(message);
  });
});

describe('bodyColumns / requireSomeColumn', () => {
  const fields = ['title', 'done', 'user_id'];

  const cases: Array<[string, unknown, string[], unknown[]]> = [
    [
      'columns follow the YAML order, not the body order',
      { done: true, title: 't' },
      ['title', 'done'],
      ['t', true],
    ],
    [
      'the owner column listed in fields is never set from the body',
      { title: 't', user_id: 99 },
      ['title'],
      ['t'],
    ],
    ['absent fields are left out', { done: false }, ['done'], [false]],
    ['null is a value', { title: null }, ['title'], [null]],
    ['an empty body sets nothing', {}, [], []],
  ];
  it.each(cases)('%s', (_name, body, columns, values) => {
    expect(bodyColumns(body, fields, 'user_id')).toEqual({ columns, values });
  });

  it('ignores the owner column even when it is not in fields', () => {
    expect(bodyColumns({ title: 't', owner: 5 }, ['title'], 'owner')).toEqual({
      columns: ['title'],
      values: ['t'],
    });
  });

  const refused: Array<[string, unknown, object]> = [
    ['an array', [], { message: 'Body must be a JSON object' }],
    ['null', null, { message: 'Body must be a JSON object' }],
    ['a string', 'x', { message: 'Body must be a JSON object' }],
    [
      'unknown fields, named',
      { title: 't', id: 1, role: 'admin' },
      { message: 'Unknown field(s): id, role', data: { fields: ['id', 'role'] } },
    ],
    [
      'an object value',
      { title: { $gt: '' } },
      { message: 'Field "title" must be a string, number, boolean or null', data: { field: 'title' } },
    ],
  ];
  it.each(refused)('refuses %s', (_name, body, expected) => {
    expect(refusal(() => bodyColumns(body, fields, 'user_id'))).toEqual(expected);
  });

  it('names at most 10 unknown fields in the data', () => {
    const body = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 1]));
    const { data } = refusal(() => bodyColumns(body, fields, 'user_id'));
    expect(data).toEqual({ fields: Array.from({ length: 10 }, (_, i) => `f${i}`) });
  });

  it('requireSomeColumn refuses an empty set, naming the settable fields without the owner', () => {
    expect(() => requireSomeColumn(['title'], fields, 'user_id')).not.toThrow();
    expect(refusal(() => requireSomeColumn([], fields, 'user_id'))).toEqual({
      message: 'Body must set at least one of: title, done',
    });
  });
});

describe('checkColumnValues', () => {
  const col = (c: Partial<ColumnInfo> & Pick<ColumnInfo, 'type'>): ColumnInfo => ({
    name: 'f',
    nullable: false,
    ...c,
  });
  const check = (column: ColumnInfo, value: string | number | boolean | null) => {
    const values = [value];
    checkColumnValues(new Map([['f', column]]), ['f'], values);
    return values[0];
  };

  const accepted: Array<[string, ColumnInfo, string | number | boolean | null, unknown]> = [
    ['integer from digits', col({ type: 'integer' }), '-12', -12],
    ['integer as is', col({ type: 'integer' }), 7, 7],
    ['boolean in an integer column', col({ type: 'integer' }), true, true],
    ['integer at min', col({ type: 'integer', min: 0, max: 9 }), 0, 0],
    ['integer at max', col({ type: 'integer', min: 0, max: 9 }), '9', 9],
    ['16-digit integer text', col({ type: 'integer' }), '1234567890123456', 1234567890123456],
    ['number from text', col({ type: 'number' }), '-1.25', -1.25],
    ['positive number from text', col({ type: 'number' }), '12.5', 12.5],
    ['whole number from text', col({ type: 'number' }), '12', 12],
    ['number at max', col({ type: 'number', max: 2.5 }), 2.5, 2.5],
    ['number at min', col({ type: 'number', min: -1 }), -1, -1],
    ['text from a number', col({ type: 'text' }), 12, '12'],
    ['text at max_length in code points', col({ type: 'text', max_length: 2 }), '😀😀', '😀😀'],
    ['text at max_bytes', col({ type: 'text', max_bytes: 4 }), 'éé', 'éé'],
    ['a lone high surrogate counts as one', col({ type: 'text', max_length: 2 }), '\ud83dx', '\ud83dx'],
    // The ends of the surrogate ranges: each pair is one code point.
    ['the first surrogate pair', col({ type: 'text', max_length: 1 }), '\ud800\udc00', '\ud800\udc00'],
    ['the last surrogate pair', col({ type: 'text', max_length: 1 }), '\udbff\udfff', '\udbff\udfff'],
    ['boolean in a text column', col({ type: 'text', max_length: 1 }), true, true],
    ['date', col({ type: 'date' }), '2024-02-29', '2024-02-29'],
    ['first date', col({ type: 'date' }), '1000-01-01', '1000-01-01'],
    ['last date', col({ type: 'date' }), '9999-12-31', '9999-12-31'],
    ['null in a nullable column', col({ type: 'integer', nullable: true }), null, null],
    ['anything in another type', col({ type: 'other' }), 'x', 'x'],
  ];
  it.each(accepted)('accepts %s', (_name, column, value, expected) => {
    expect(check(column, value)).toBe(expected);
  });

  const refused: Array<[string, ColumnInfo, string | number | boolean | null, string]> = [
    ['null in a NOT NULL column', col({ type: 'text' }), null, 'Field "f" must not be null'],
    ['integer text with a fraction', col({ type: 'integer' }), '1.5', 'Field "f" must be an integer'],
    ['a fraction in an integer column', col({ type: 'integer' }), 1.5, 'Field "f" must be an integer'],
    ['17-digit integer text', col({ type: 'integer' }), '12345678901234567', 'Field "f" must be an integer'],
    ['integer text with spaces', col({ type: 'integer' }), ' 1', 'Field "f" must be an integer'],
    ['integer text in exponent form', col({ type: 'integer' }), '1e3', 'Field "f" must be an integer'],
    ['integer text in hexadecimal', col({ type: 'integer' }), '0x10', 'Field "f" must be an integer'],
    [
      'integer below min',
      col({ type: 'integer', min: 0, max: 9 }),
      -1,
      'Field "f" must be an integer between 0 and 9',
    ],
    [
      'integer above max',
      col({ type: 'integer', min: 0, max: 9 }),
      10,
      'Field "f" must be an integer between 0 and 9',
    ],
    [
      'integer below a lone min',
      col({ type: 'integer', min: 1 }),
      0,
      'Field "f" must be an integer of at least 1',
    ],
    [
      'integer above a lone max',
      col({ type: 'integer', max: 1 }),
      2,
      'Field "f" must be an integer of at most 1',
    ],
    ['number text with letters', col({ type: 'number' }), '1e5', 'Field "f" must be a number'],
    ['number text ending in a dot', col({ type: 'number' }), '1.', 'Field "f" must be a number'],
    ['a boolean number', col({ type: 'number' }), false, 'Field "f" must be a number'],
    // Not from JSON (the body parser refuses them), but the column check refuses them on its own.
    ['an infinite number', col({ type: 'number' }), Number.POSITIVE_INFINITY, 'Field "f" must be a number'],
    ['NaN as a number', col({ type: 'number' }), Number.NaN, 'Field "f" must be a number'],
    ['number above max', col({ type: 'number', max: 2.5 }), 2.6, 'Field "f" must be a number of at most 2.5'],
    ['number below min', col({ type: 'number', min: -1 }), -1.5, 'Field "f" must be a number of at least -1'],
    [
      'text past max_length',
      col({ type: 'text', max_length: 2 }),
      'abc',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'emoji past max_length',
      col({ type: 'text', max_length: 2 }),
      '😀😀😀',
      'Field "f" is too long (max 2 characters)',
    ],
    // Lone surrogates count one each: only a high one followed by a low one makes a pair.
    [
      'a lone high surrogate before letters',
      col({ type: 'text', max_length: 2 }),
      '\ud83dxy',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'a lone high surrogate before a private-use character',
      col({ type: 'text', max_length: 2 }),
      '\ud83d\ue000y',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'a letter before a lone low surrogate',
      col({ type: 'text', max_length: 2 }),
      'a\udc00b',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'lone low surrogates',
      col({ type: 'text', max_length: 2 }),
      '\udc00\udc00\udc00',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'a private-use character before a lone low surrogate',
      col({ type: 'text', max_length: 2 }),
      '\ue000\udc00b',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'a lone high surrogate at the end',
      col({ type: 'text', max_length: 2 }),
      'ab\ud83d',
      'Field "f" is too long (max 2 characters)',
    ],
    [
      'text past max_bytes',
      col({ type: 'text', max_bytes: 4 }),
      'ééa',
      'Field "f" is too long (max 4 bytes)',
    ],
    ['a date-time', col({ type: 'date' }), '2024-01-01 10:00', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['February 30th', col({ type: 'date' }), '2024-02-30', 'Field "f" must be a date (YYYY-MM-DD)'],
    [
      'February 29th of a common year',
      col({ type: 'date' }),
      '2023-02-29',
      'Field "f" must be a date (YYYY-MM-DD)',
    ],
    ['month 13', col({ type: 'date' }), '2024-13-01', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['month 0', col({ type: 'date' }), '2024-00-10', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['day 0', col({ type: 'date' }), '2024-01-00', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['year 999', col({ type: 'date' }), '0999-12-31', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['a number as a date', col({ type: 'date' }), 20240101, 'Field "f" must be a date (YYYY-MM-DD)'],
    ['a five-digit year', col({ type: 'date' }), '12024-01-01', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['text before a date', col({ type: 'date' }), 'x2024-01-01', 'Field "f" must be a date (YYYY-MM-DD)'],
    ['text after a date', col({ type: 'date' }), '2024-01-01x', 'Field "f" must be a date (YYYY-MM-DD)'],
  ];
  it.each(refused)('refuses %s', (_name, column, value, message) => {
    expect(refusal(() => check(column, value))).toEqual({ message, data: { field: 'f' } });
  });

  it('checks only the described columns, and nothing without a description', () => {
    const values = ['x', 'y'];
    checkColumnValues(new Map([['b', col({ name: 'b', type: 'integer' })]]), ['a', 'c'], values);
    expect(values).toEqual(['x', 'y']);
    checkColumnValues(new Map(), ['a'], values);
    expect(values).toEqual(['x', 'y']);
    const mixed: Array<string | number> = ['1', '2'];
    checkColumnValues(new Map([['b', col({ name: 'b', type: 'integer' })]]), ['a', 'b'], mixed);
    expect(mixed).toEqual(['1', 2]);
  });
});
