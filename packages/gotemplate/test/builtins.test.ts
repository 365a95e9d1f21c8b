// Table-driven tests of the template built-ins (comparisons, len, index, print, escaping) and of the value
// helpers under them (truth, printing, key lookup, range order). Each row pins a behaviour mutation testing
// (`pnpm test:mutation gotemplate`, docs/MUTATION.md) found unpinned by the render tests.
import { describe, expect, it } from 'vitest';
import { callFunction } from '../src/builtins.js';
import { FUNCTION_NAMES, LAZY_FUNCTIONS } from '../src/functions.js';
import { renderTemplate } from '../src/index.js';
import { escapeHtml, isTruthy, lookupKey, printValue, rangeItems } from '../src/values.js';

/** Calls a built-in with plain values; `boom` stands for an argument that must never be evaluated. */
const boom = Symbol('boom');
const call = (name: string, ...args: unknown[]): unknown =>
  callFunction(
    name,
    args.map((a) => () => {
      if (a === boom) throw new Error('evaluated an argument that short-circuit should skip');
      return a;
    }),
  );
const failure = (name: string, ...args: unknown[]): string => {
  try {
    call(name, ...args);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${name} did not fail`);
};

describe('and / or / not', () => {
  const cases: Array<[string, unknown[], unknown]> = [
    ['and', [1], 1],
    ['and', [1, 'x'], 'x'],
    ['and', [1, 0, boom], 0],
    ['and', ['', boom], ''],
    ['or', [0], 0],
    ['or', [0, ''], ''],
    ['or', [0, 3, boom], 3],
    ['or', ['x', boom], 'x'],
    ['not', [0], true],
    ['not', [[1]], false],
  ];
  it.each(cases)('%s %j = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  const errors: Array<[string, unknown[], string]> = [
    ['and', [], 'and needs at least one argument'],
    ['or', [], 'or needs at least one argument'],
    ['not', [], 'wrong number of args for not: want 1 got 0'],
    ['not', [1, 2], 'wrong number of args for not: want 1 got 2'],
  ];
  it.each(errors)('%s %j fails: %s', (name, args, message) => {
    expect(failure(name, ...args)).toBe(message);
  });
});

describe('comparisons', () => {
  // [a, b, lt, le, gt, ge]
  const ordered: Array<[unknown, unknown, boolean, boolean, boolean, boolean]> = [
    [1, 2, true, true, false, false],
    [2, 1, false, false, true, true],
    [2, 2, false, true, false, true],
    [-1.5, -1, true, true, false, false],
    ['a', 'b', true, true, false, false],
    ['b', 'a', false, false, true, true],
    ['a', 'a', false, true, false, true],
  ];
  it.each(ordered)('%j vs %j: lt %s, le %s, gt %s, ge %s', (a, b, lt, le, gt, ge) => {
    expect(['lt', 'le', 'gt', 'ge'].map((name) => call(name, a, b))).toEqual([lt, le, gt, ge]);
  });

  const eq: Array<[unknown[], boolean]> = [
    [[1, 1], true],
    [[1, 2], false],
    [[1, 2, 3, 1], true],
    [[1, 2, 3], false],
    [['a', 'a'], true],
    [[true, true], true],
    [[true, false], false],
    [[null, undefined], true],
    [[null, 0], false],
    [[0, null], false],
    [['', undefined], false],
  ];
  it.each(eq)('eq %j = %s, ne of the first two is the opposite', (args, expected) => {
    expect(call('eq', ...args)).toBe(expected);
    if (args.length === 2) expect(call('ne', ...args)).toBe(!expected);
  });

  const errors: Array<[string, unknown[], string]> = [
    ['eq', [1], 'eq needs at least two arguments'],
    ['eq', [1, '1'], 'incompatible types for comparison'],
    ['eq', [{}, {}], 'incompatible types for comparison'],
    ['eq', [[1], [1]], 'incompatible types for comparison'],
    ['ne', [1], 'wrong number of args for ne: want 2 got 1'],
    ['ne', [true, 'true'], 'incompatible types for comparison'],
    ['lt', [1], 'wrong number of args for lt: want 2 got 1'],
    ['ge', [1, 2, 3], 'wrong number of args for ge: want 2 got 3'],
    ['lt', [1, '2'], 'incompatible types for comparison: 1 and 2'],
    ['gt', [true, false], 'incompatible types for comparison: true and false'],
    ['le', [null, null], 'incompatible types for comparison:  and '],
    ['ge', [[1], [2]], 'incompatible types for comparison: [1] and [2]'],
  ];
  it.each(errors)('%s %j fails: %s', (name, args, message) => {
    expect(failure(name, ...args)).toBe(message);
  });
});

describe('len and index', () => {
  const cases: Array<[string, unknown[], unknown]> = [
    ['len', ['abc'], 3],
    ['len', [''], 0],
    ['len', [[1, 2]], 2],
    ['len', [new Map([['a', 1]])], 1],
    ['len', [{ a: 1, b: 2 }], 2],
    ['index', [[10, 20]], [10, 20]],
    ['index', [[10, 20], 0], 10],
    ['index', [[10, 20], 1], 20],
    ['index', [[[1, 2]], 0, 1], 2],
    ['index', [{ a: { b: 2 } }, 'a', 'b'], 2],
    ['index', [{ a: 1 }, 'z'], null],
    ['index', [{ 1: 'one' }, 1], 'one'],
    ['index', [new Map([['k', 'v']]), 'k'], 'v'],
    ['index', [[10], '0'], null],
  ];
  it.each(cases)('%s %j = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  const errors: Array<[string, unknown[], string]> = [
    ['len', [3], 'len of 3'],
    ['len', [null], 'len of '],
    ['len', [true], 'len of true'],
    ['len', [], 'wrong number of args for len: want 1 got 0'],
    ['index', [], 'index needs an argument'],
    ['index', [[10], 1], 'index out of range: 1'],
    ['index', [[10], -1], 'index out of range: -1'],
    ['index', [[10, 20], 0.5], 'index out of range: 0.5'],
  ];
  it.each(errors)('%s %j fails: %s', (name, args, message) => {
    expect(failure(name, ...args)).toBe(message);
  });
});

describe('print, html, urlquery', () => {
  const cases: Array<[string, unknown[], string]> = [
    ['print', ['a', 'b'], 'ab'],
    ['print', [1, 2], '1 2'],
    ['print', ['a', 1], 'a1'],
    ['print', [1, 'a', 2], '1a2'],
    ['print', [true, [1, 2], null], 'true [1 2] '],
    ['print', [], ''],
    ['html', ['<a href="x">', "'&'"], '&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;'],
    ['html', [1, '<'], '1&lt;'],
    ['urlquery', ['a b&c=d', 1], 'a%20b%26c%3Dd1'],
  ];
  it.each(cases)('%s %j = %j', (name, args, expected) => {
    expect(call(name, ...args)).toBe(expected);
  });

  it('refuses an unknown function', () => {
    expect(failure('exec', 'rm')).toBe('function "exec" not defined');
  });

  it('knows every listed name, and only and/or are lazy', () => {
    for (const name of FUNCTION_NAMES) expect(() => call(name, 1, 1)).not.toThrow(/not defined/);
    expect([...LAZY_FUNCTIONS]).toEqual(['and', 'or']);
    expect(FUNCTION_NAMES.size).toBe(14);
  });

  it('reaches the built-ins from a template', () => {
    expect(
      renderTemplate('{{index .L 1}} {{len .M}} {{if ge .N 3}}ge{{end}} {{urlquery .S}}', {
        L: ['a', 'b'],
        M: { x: 1 },
        N: 3,
        S: 'a b',
      }),
    ).toBe('b 1 ge a%20b');
  });
});

describe('values', () => {
  const truth: Array<[unknown, boolean]> = [
    [null, false],
    [undefined, false],
    [false, false],
    [0, false],
    [0n, false],
    ['', false],
    [[], false],
    [new Map(), false],
    [{}, false],
    [true, true],
    [1n, true],
    [-1, true],
    ['0', true],
    [[0], true],
    [new Map([[1, 1]]), true],
    [{ a: 0 }, true],
  ];
  it.each(truth)('isTruthy(%o) = %s', (v, expected) => {
    expect(isTruthy(v)).toBe(expected);
  });

  const printed: Array<[string, unknown, string]> = [
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['a bigint', 12n, '12'],
    ['a boolean', false, 'false'],
    ['a date', new Date(Date.UTC(2025, 0, 2)), '2025-01-02T00:00:00.000Z'],
    ['a nested array', [1, [2, 'x'], null], '[1 [2 x] ]'],
    [
      'a map, keys sorted',
      new Map<unknown, unknown>([
        ['b', 2],
        ['a', [1]],
      ]),
      'map[a:[1] b:2]',
    ],
    ['an object, keys sorted', { b: { d: 1, c: 2 }, a: 'x' }, 'map[a:x b:map[c:2 d:1]]'],
    ['an object with equal-looking keys', { a1: 1, a: 0, A: 2 }, 'map[A:2 a:0 a1:1]'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
  ];
  it.each(printed)('printValue of %s', (_name, v, expected) => {
    expect(printValue(v)).toBe(expected);
  });

  it('escapes the five HTML characters everywhere in a string', () => {
    expect(escapeHtml(`<<&&"'>>`)).toBe('&lt;&lt;&amp;&amp;&#34;&#39;&gt;&gt;');
  });

  const lookups: Array<[string, unknown, string, object]> = [
    ['an own key', { a: 1 }, 'a', { found: true, value: 1 }],
    ['an own key holding undefined', { a: undefined }, 'a', { found: true, value: undefined }],
    ['an absent key', { a: 1 }, 'b', { found: false }],
    ['an inherited key', {}, 'toString', { found: false }],
    ['a Map key', new Map([['a', 2]]), 'a', { found: true, value: 2 }],
    ['an absent Map key', new Map([['a', 2]]), 'b', { found: false }],
    ['an array index', ['x'], '0', { found: false }],
    ['null', null, 'a', { found: false }],
    ['a string', 'abc', 'length', { found: false }],
  ];
  it.each(lookups)('lookupKey on %s', (_name, container, key, expected) => {
    expect(lookupKey(container, key)).toEqual(expected);
  });

  const ranges: Array<[string, unknown, unknown[] | undefined]> = [
    ['an array, in order', [3, 1], [3, 1]],
    [
      'a Map, by sorted key',
      new Map([
        ['b', 2],
        ['a', 1],
      ]),
      [1, 2],
    ],
    ['an object, by sorted key', { b: 2, a: 1, c: 3 }, [1, 2, 3]],
    ['null', null, undefined],
    ['a number', 3, undefined],
    ['a string', 'ab', undefined],
  ];
  it.each(ranges)('rangeItems of %s', (_name, v, expected) => {
    expect(rangeItems(v)).toEqual(expected);
  });
});
