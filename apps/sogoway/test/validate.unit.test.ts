// Unit tests of the generic CRUD input checks (crud/validate.ts), table-driven: ids, list query strings, bodies
// and column values. Each row pins a behaviour that mutation testing (`pnpm test:mutation crud`,
// docs/MUTATION.md) found unpinned by the in-process gateway tests alone.
import type { ReadQuery } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../src/crud/columns.js';
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
    ['number at max', col({ type: 'number', max: 2.5 }), 2.5, 2.5],
    ['number at min', col({ type: 'number', min: -1 }), -1, -1],
    ['text from a number', col({ type: 'text' }), 12, '12'],
    ['text at max_length in code points', col({ type: 'text', max_length: 2 }), '😀😀', '😀😀'],
    ['text at max_bytes', col({ type: 'text', max_bytes: 4 }), 'éé', 'éé'],
    ['a lone high surrogate counts as one', col({ type: 'text', max_length: 2 }), '\ud83dx', '\ud83dx'],
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
