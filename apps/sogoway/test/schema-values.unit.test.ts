// Unit tests of the create/update body checks of resources generated from schema/{app}.yaml
// (crud/schema-values.ts, DOCTECH §4.10): for every field type and constraint, the values accepted (and what
// is stored for them) and the exact per-field reason of `error.fields` for the values refused, on create and on
// update. Table-driven; each row pins a branch, so that removing one makes a row fail (mutation testing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FieldRule, loadPlatformConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaBodyColumns } from '../src/crud/schema-values.js';
import type { Scalar } from '../src/http/body.js';

const OWNER = 'user_id';
const MODES = [
  ['create', true],
  ['update', false],
] as const;

const rule = (type: FieldRule['type'], extra: Partial<FieldRule> = {}): FieldRule => ({
  type,
  required: false,
  nullable: false,
  ...extra,
});

/** The 400 a call throws, as message (plus data when there is some). */
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

/** What is stored for `value` in a field `f` of rule `r` (the body sets only f). */
function stored(r: FieldRule, value: unknown, create: boolean): Scalar {
  const { columns, values } = schemaBodyColumns({ f: value }, { f: r }, OWNER, create);
  expect(columns).toEqual(['f']);
  expect(values).toHaveLength(1);
  return values[0]!;
}

/** The reason given for `value` in a field `f` of rule `r`, checking the message and that f alone is named. */
function reason(r: FieldRule, value: unknown, create: boolean): string {
  const { message, data } = refusal(() => schemaBodyColumns({ f: value }, { f: r }, OWNER, create));
  expect(message).toBe('Invalid field(s): f');
  const fields = data?.fields as Record<string, string>;
  expect(Object.keys(fields)).toEqual(['f']);
  return fields.f!;
}

/** Rows of [rule title, rule, value, what is stored]. */
type Accepted = Array<[string, FieldRule, unknown, Scalar]>;
/** Rows of [rule title, rule, value, the field's reason]. */
type Refused = Array<[string, FieldRule, unknown, string]>;

function table(title: string, accepted: Accepted, refused: Refused): void {
  describe(title, () => {
    for (const [mode, create] of MODES) {
      it.each(accepted)(`on ${mode}, %s accepts %j and stores %j`, (_t, r, value, expected) => {
        const got = stored(r, value, create);
        expect(got).toStrictEqual(expected);
      });
      it.each(refused)(`on ${mode}, %s refuses %j: %j`, (_t, r, value, expected) => {
        expect(reason(r, value, create)).toBe(expected);
      });
    }
  });
}

const int = rule('int');
const int1to5 = rule('int', { min: 1, max: 5 });
const intMin = rule('int', { min: -3 });
const intMax = rule('int', { max: 10 });

table(
  'int: a safe integer (or its digits as a string) within min/max',
  [
    ['int', int, 42, 42],
    ['int', int, 0, 0],
    ['int', int, -7, -7],
    ['int', int, '42', 42],
    ['int', int, '-7', -7],
    ['int', int, '007', 7],
    ['int', int, '1234567890123456', 1234567890123456], // 16 digits: the longest digit string read
    ['int', int, 2.0, 2],
    ['int', int, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['int', int, Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER],
    ['int 1..5', int1to5, 1, 1],
    ['int 1..5', int1to5, 5, 5],
    ['int 1..5', int1to5, '5', 5],
    ['int min -3', intMin, -3, -3],
    ['int min -3', intMin, 1e15, 1e15],
    ['int max 10', intMax, 10, 10],
    ['int max 10', intMax, -1e15, -1e15],
  ],
  [
    ['int', int, 1.5, 'must be an integer'],
    ['int', int, '1.5', 'must be an integer'],
    ['int', int, '1e3', 'must be an integer'],
    ['int', int, ' 1', 'must be an integer'],
    ['int', int, '1 ', 'must be an integer'],
    ['int', int, '', 'must be an integer'],
    ['int', int, '-', 'must be an integer'],
    ['int', int, '+1', 'must be an integer'],
    ['int', int, '0x10', 'must be an integer'],
    ['int', int, '12345678901234567', 'must be an integer'], // 17 digits
    ['int', int, '9999999999999999', 'must be an integer'], // 16 digits, past the safe integers
    ['int', int, 2 ** 53, 'must be an integer'],
    ['int', int, Number.NaN, 'must be an integer'],
    ['int', int, Number.POSITIVE_INFINITY, 'must be an integer'],
    ['int', int, true, 'must be an integer'],
    ['int', int, false, 'must be an integer'],
    ['int', int, [1], 'must be an integer'],
    ['int', int, { n: 1 }, 'must be an integer'],
    ['int 1..5', int1to5, 0, 'must be an integer between 1 and 5'],
    ['int 1..5', int1to5, 6, 'must be an integer between 1 and 5'],
    ['int 1..5', int1to5, '6', 'must be an integer between 1 and 5'],
    ['int 1..5', int1to5, 2.5, 'must be an integer between 1 and 5'],
    ['int min -3', intMin, -4, 'must be an integer of at least -3'],
    ['int max 10', intMax, 11, 'must be an integer of at most 10'],
  ],
);

const bigint = rule('bigint', { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const bigintMin0 = rule('bigint', { min: 0 });
table(
  'bigint: the same checks as int',
  [
    ['bigint', bigint, 9_007_199_254_740_991, 9_007_199_254_740_991],
    ['bigint', bigint, '9007199254740991', 9_007_199_254_740_991],
    ['bigint', bigint, '-9007199254740991', -9_007_199_254_740_991],
    ['bigint min 0', bigintMin0, 0, 0],
  ],
  [
    [
      'bigint',
      bigint,
      '9007199254740992',
      'must be an integer between -9007199254740991 and 9007199254740991',
    ],
    ['bigint', bigint, 1.5, 'must be an integer between -9007199254740991 and 9007199254740991'],
    ['bigint min 0', bigintMin0, -1, 'must be an integer of at least 0'],
    ['bigint min 0', bigintMin0, 'x', 'must be an integer of at least 0'],
  ],
);

const decimal = rule('decimal', { scale: 2 });
const decimal0to100 = rule('decimal', { min: 0, max: 100, scale: 2 });
const decimalMin = rule('decimal', { min: 0.5 });
const decimalMax = rule('decimal', { max: -1 });
table(
  'decimal: a finite number (or its decimal text) within min/max',
  [
    ['decimal', decimal, 12.5, 12.5],
    ['decimal', decimal, -0.25, -0.25],
    ['decimal', decimal, 0, 0],
    ['decimal', decimal, 1e2, 100],
    ['decimal', decimal, '12.50', 12.5],
    ['decimal', decimal, '-0.5', -0.5],
    ['decimal', decimal, '7', 7],
    ['decimal', decimal, '007.10', 7.1],
    ['decimal 0..100', decimal0to100, 0, 0],
    ['decimal 0..100', decimal0to100, 100, 100],
    ['decimal 0..100', decimal0to100, '99.99', 99.99],
    ['decimal min 0.5', decimalMin, 0.5, 0.5],
    ['decimal max -1', decimalMax, -1, -1],
  ],
  [
    ['decimal', decimal, '.5', 'must be a number'],
    ['decimal', decimal, '1.', 'must be a number'],
    ['decimal', decimal, '1e2', 'must be a number'],
    ['decimal', decimal, '1,5', 'must be a number'],
    ['decimal', decimal, ' 1', 'must be a number'],
    ['decimal', decimal, '', 'must be a number'],
    ['decimal', decimal, 'abc', 'must be a number'],
    ['decimal', decimal, `1${'0'.repeat(30)}`, 'must be a number'], // 31 digits before the point
    ['decimal', decimal, `0.${'1'.repeat(31)}`, 'must be a number'], // 31 after it
    ['decimal', decimal, Number.NaN, 'must be a number'],
    ['decimal', decimal, Number.POSITIVE_INFINITY, 'must be a number'],
    ['decimal', decimal, true, 'must be a number'],
    ['decimal', decimal, [1], 'must be a number'],
    ['decimal 0..100', decimal0to100, -0.01, 'must be a number between 0 and 100'],
    ['decimal 0..100', decimal0to100, '100.01', 'must be a number between 0 and 100'],
    ['decimal min 0.5', decimalMin, 0.49, 'must be a number of at least 0.5'],
    ['decimal max -1', decimalMax, -0.5, 'must be a number of at most -1'],
  ],
);

const bool = rule('bool');
table(
  'bool: true/false or 1/0, stored as 1/0',
  [
    ['bool', bool, true, 1],
    ['bool', bool, false, 0],
    ['bool', bool, 1, 1],
    ['bool', bool, 0, 0],
  ],
  [
    ['bool', bool, 'true', 'must be true or false'],
    ['bool', bool, 'false', 'must be true or false'],
    ['bool', bool, '1', 'must be true or false'],
    ['bool', bool, '0', 'must be true or false'],
    ['bool', bool, 2, 'must be true or false'],
    ['bool', bool, -1, 'must be true or false'],
    ['bool', bool, 0.5, 'must be true or false'],
    ['bool', bool, '', 'must be true or false'],
    ['bool', bool, [], 'must be true or false'],
  ],
);

const string = rule('string');
const string2to5 = rule('string', { min: 2, max: 5 });
const requiredString = rule('string', { required: true, min: 3 });
const requiredPlain = rule('string', { required: true });
const code = rule('string', { pattern: '[A-Z]{2}-[0-9]+', max: 6 });
const choice = rule('string', { pattern: 'b|c' });
const anyChar = rule('string', { pattern: '.' });
// Only ever refuses: the row that compiles this pattern is a refusal (the patterns are compiled once, cached).
const digits = rule('string', { pattern: '[0-9]{3}' });
table(
  'string: a string of min..max characters (code points) matching the whole pattern',
  [
    ['string', string, 'hello', 'hello'],
    ['string', string, '', ''],
    ['string', string, '   ', '   '],
    ['string', string, 'x'.repeat(70_000), 'x'.repeat(70_000)], // no byte limit but text's
    ['string 2..5', string2to5, 'ab', 'ab'],
    ['string 2..5', string2to5, 'abcde', 'abcde'],
    ['string 2..5', string2to5, '😀😀😀😀😀', '😀😀😀😀😀'], // 5 code points, 10 UTF-16 units
    ['string 2..5', string2to5, 'ééééé', 'ééééé'], // 5 characters, 10 bytes
    ['required string min 3', requiredString, ' a ', ' a '],
    ['required string', requiredPlain, 'x', 'x'],
    ['pattern [A-Z]{2}-[0-9]+', code, 'AB-12', 'AB-12'],
    ['pattern b|c', choice, 'b', 'b'],
    ['pattern b|c', choice, 'c', 'c'],
    ['pattern . (unicode)', anyChar, '😀', '😀'],
  ],
  [
    ['string', string, 5, 'must be a string'],
    ['string', string, true, 'must be a string'],
    ['string', string, ['a'], 'must be a string'],
    ['string', string, { a: 1 }, 'must be a string'],
    ['string 2..5', string2to5, 'abcdef', 'must be at most 5 characters'],
    ['string 2..5', string2to5, '😀😀😀😀😀😀', 'must be at most 5 characters'],
    ['string 2..5', string2to5, 'a', 'must be at least 2 characters'],
    ['string 2..5', string2to5, '', 'must be at least 2 characters'],
    ['string 2..5', string2to5, '😀', 'must be at least 2 characters'], // 2 UTF-16 units, 1 character
    ['required string min 3', requiredString, '   ', 'required'], // blank: not a value
    ['required string min 3', requiredString, '  ', 'must be at least 3 characters'], // length first
    ['required string', requiredPlain, '', 'required'],
    ['required string', requiredPlain, ' \t\n', 'required'],
    ['pattern [A-Z]{2}-[0-9]+', code, 'ab-12', 'does not match the expected format'],
    ['pattern [A-Z]{2}-[0-9]+', code, 'xAB-12', 'does not match the expected format'], // anchored at start
    ['pattern [A-Z]{2}-[0-9]+', code, 'AB-12x', 'does not match the expected format'], // and at end
    ['pattern [A-Z]{2}-[0-9]+', code, 'AB-1234', 'must be at most 6 characters'], // length before pattern
    ['pattern b|c', choice, 'bx', 'does not match the expected format'], // the alternation is grouped
    ['pattern b|c', choice, 'xc', 'does not match the expected format'],
    ['pattern b|c', choice, 'bc', 'does not match the expected format'],
    ['pattern [0-9]{3}', digits, 'abc', 'does not match the expected format'],
  ],
);

const text = rule('text');
const text10 = rule('text', { max: 10, min: 1 });
const requiredText = rule('text', { required: true });
const textPattern = rule('text', { pattern: '[a-z ]+' });
table(
  'text: a string of at most 65535 UTF-8 bytes (and min/max characters, pattern)',
  [
    ['text', text, 'long\nprose', 'long\nprose'],
    ['text', text, '', ''],
    ['text', text, 'a'.repeat(65_535), 'a'.repeat(65_535)],
    ['text', text, 'é'.repeat(32_767), 'é'.repeat(32_767)], // 65534 bytes
    ['text 1..10', text10, 'x'.repeat(10), 'x'.repeat(10)],
    ['text pattern', textPattern, 'some words', 'some words'],
  ],
  [
    ['text', text, 1, 'must be a string'],
    ['text', text, 'a'.repeat(65_536), 'is too long (max 65535 bytes)'],
    ['text', text, 'é'.repeat(32_768), 'is too long (max 65535 bytes)'], // 32768 characters, 65536 bytes
    ['text 1..10', text10, 'x'.repeat(11), 'must be at most 10 characters'],
    ['text 1..10', text10, '', 'must be at least 1 characters'],
    ['required text', requiredText, '  ', 'required'],
    ['text pattern', textPattern, 'Words', 'does not match the expected format'],
  ],
);

const email = rule('email', { max: 255 });
const email12 = rule('email', { max: 12 });
const emailMin = rule('email', { max: 255, min: 12 });
const requiredEmail = rule('email', { required: true, max: 255 });
table(
  'email: a valid address, stored in its canonical form (NFKC, invisible characters out, trimmed, lower case)',
  [
    ['email', email, 'bob@example.com', 'bob@example.com'],
    ['email', email, '  Bob@Example.COM ', 'bob@example.com'],
    ['email', email, 'ＢＯＢ@example.com', 'bob@example.com'],
    ['email', email, 'bo\u200bb@example.com', 'bob@example.com'],
    ['email', email, "o'brien+tag@mail.example.org", "o'brien+tag@mail.example.org"],
    ['email max 12', email12, 'ab@ample.com', 'ab@ample.com'],
    ['email min 12', emailMin, 'ab@ample.com', 'ab@ample.com'],
    // Cut at 1024 raw characters before normalising: invisible padding after the address is dropped.
    ['email', email, `a@example.com${'\u200b'.repeat(2000)}`, 'a@example.com'],
  ],
  [
    ['email', email, 'not-an-email', 'must be a valid email address'],
    ['email', email, 'a@b', 'must be a valid email address'],
    ['email', email, '@example.com', 'must be a valid email address'],
    ['email', email, 'böb@example.com', 'must be a valid email address'],
    ['email', email, 'a b@example.com', 'must be a valid email address'],
    ['email', email, '', 'must be a valid email address'],
    ['email', email, 5, 'must be a valid email address'],
    ['email', email, true, 'must be a valid email address'],
    ['email', email, `${'a'.repeat(250)}@example.com`, 'must be a valid email address'],
    // The address lies past the first 1024 raw characters: what is left is not one.
    ['email', email, `${'\u200b'.repeat(1020)}a@example.com`, 'must be a valid email address'],
    ['email max 12', email12, 'abc@ample.com', 'must be at most 12 characters'],
    ['email max 12', email12, '  ABC@ample.com', 'must be at most 12 characters'], // counted once canonical
    ['email min 12', emailMin, 'a@ample.com', 'must be at least 12 characters'],
    ['required email', requiredEmail, '   ', 'must be a valid email address'],
  ],
);

const status = rule('enum', { values: ['draft', 'done'] });
const noValues = rule('enum');
table(
  'enum: one of its values, exactly',
  [
    ['enum draft/done', status, 'draft', 'draft'],
    ['enum draft/done', status, 'done', 'done'],
  ],
  [
    ['enum draft/done', status, 'Draft', 'must be one of: draft, done'],
    ['enum draft/done', status, 'draft ', 'must be one of: draft, done'],
    ['enum draft/done', status, '', 'must be one of: draft, done'],
    ['enum draft/done', status, 0, 'must be one of: draft, done'],
    ['enum draft/done', status, ['draft'], 'must be one of: draft, done'],
    ['enum without values', noValues, 'draft', 'must be one of: '],
  ],
);

const date = rule('date');
table(
  'date: a real calendar date YYYY-MM-DD from 1000-01-01 to 9999-12-31',
  [
    ['date', date, '2024-05-06', '2024-05-06'],
    ['date', date, '2024-02-29', '2024-02-29'],
    ['date', date, '2000-02-29', '2000-02-29'],
    ['date', date, '2024-04-30', '2024-04-30'],
    ['date', date, '2024-12-31', '2024-12-31'],
    ['date', date, '2024-01-01', '2024-01-01'],
    ['date', date, '1000-01-01', '1000-01-01'],
    ['date', date, '9999-12-31', '9999-12-31'],
  ],
  [
    ['date', date, '2023-02-29', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '1900-02-29', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-04-31', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-13-01', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-00-10', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-01-00', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-01-32', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '0999-12-31', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-1-1', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '2024-05-06T00:00:00', 'must be a date (YYYY-MM-DD)'],
    ['date', date, ' 2024-05-06', 'must be a date (YYYY-MM-DD)'],
    ['date', date, '10000-01-01', 'must be a date (YYYY-MM-DD)'],
    ['date', date, 20240506, 'must be a date (YYYY-MM-DD)'],
    ['date', date, ['2024-05-06'], 'must be a date (YYYY-MM-DD)'], // an array whose text is a date
    ['date', date, '', 'must be a date (YYYY-MM-DD)'],
  ],
);

const datetime = rule('datetime');
const DT = 'must be a date and time (YYYY-MM-DD HH:MM:SS)';
table(
  'datetime: YYYY-MM-DD HH:MM[:SS[.ffffff]][Z] with a space or T, stored as YYYY-MM-DD HH:MM:SS',
  [
    ['datetime', datetime, '2024-05-06 07:08:09', '2024-05-06 07:08:09'],
    ['datetime', datetime, '2024-05-06T07:08:09', '2024-05-06 07:08:09'],
    ['datetime', datetime, '2024-05-06T07:08:09Z', '2024-05-06 07:08:09'],
    ['datetime', datetime, '2024-05-06T07:08:09.123456Z', '2024-05-06 07:08:09'],
    ['datetime', datetime, '2024-05-06 07:08:09.5', '2024-05-06 07:08:09'],
    ['datetime', datetime, '2024-05-06 07:08', '2024-05-06 07:08:00'],
    ['datetime', datetime, '2024-05-06T07:08Z', '2024-05-06 07:08:00'],
    ['datetime', datetime, '2024-05-06 23:59:59', '2024-05-06 23:59:59'],
    ['datetime', datetime, '2024-02-29 00:00:00', '2024-02-29 00:00:00'],
  ],
  [
    ['datetime', datetime, '2024-05-06', DT],
    ['datetime', datetime, '2024-05-06 24:00:00', DT],
    ['datetime', datetime, '2024-05-06 23:60:00', DT],
    ['datetime', datetime, '2024-05-06 23:59:60', DT],
    ['datetime', datetime, '2024-05-06 7:08:09', DT],
    ['datetime', datetime, '2024-05-06 07:08:09.1234567', DT],
    ['datetime', datetime, '2024-05-06 07:08:09+02:00', DT],
    ['datetime', datetime, '2024-05-06x07:08:09', DT],
    ['datetime', datetime, '2023-02-29 10:00:00', DT],
    ['datetime', datetime, '0999-12-31 10:00:00', DT],
    ['datetime', datetime, ' 2024-05-06 07:08:09', DT],
    ['datetime', datetime, '2024-05-06 07:08:09 ', DT],
    ['datetime', datetime, 1_714_979_289, DT],
    ['datetime', datetime, ['2024-05-06 07:08:09'], DT],
    ['datetime', datetime, '', DT],
  ],
);

const json = rule('json');
// JSON text of a string of n characters: n + 2 bytes (its quotes).
table(
  'json: any JSON value, stored as its text, at most 65535 bytes of it',
  [
    ['json', json, { a: 1, b: [true, null] }, '{"a":1,"b":[true,null]}'],
    ['json', json, [1, 'two'], '[1,"two"]'],
    ['json', json, 'text', '"text"'],
    ['json', json, 3.5, '3.5'],
    ['json', json, false, 'false'],
    ['json', json, {}, '{}'],
    ['json', json, 'x'.repeat(65_533), `"${'x'.repeat(65_533)}"`],
  ],
  [
    ['json', json, 'x'.repeat(65_534), 'is too long (max 65535 bytes of JSON)'],
    ['json', json, 'é'.repeat(32_767), 'is too long (max 65535 bytes of JSON)'], // 65534 + 2 bytes
  ],
);

describe('null: stored as NULL when the field is nullable, else refused, whatever the type', () => {
  const types: FieldRule['type'][] = [
    'int',
    'bigint',
    'string',
    'text',
    'bool',
    'decimal',
    'date',
    'datetime',
    'email',
    'enum',
    'json',
  ];
  for (const [mode, create] of MODES) {
    it.each(types)(`on ${mode}, a nullable %s stores null (not the text "null")`, (type) => {
      expect(stored(rule(type, { nullable: true, min: 1, values: ['a'] }), null, create)).toBeNull();
    });
    it.each(types)(`on ${mode}, a not-null %s refuses null: "must not be null"`, (type) => {
      expect(reason(rule(type, { values: ['a'] }), null, create)).toBe('must not be null');
    });
  }
  it('a required field given null is "must not be null", not "required"', () => {
    expect(reason(rule('string', { required: true }), null, true)).toBe('must not be null');
  });
});

describe('required: missing on create, optional on update', () => {
  const rules = { title: rule('string', { required: true }), note: rule('text', { nullable: true }) };

  it('a create body without a required field names it "required"', () => {
    expect(refusal(() => schemaBodyColumns({ note: 'n' }, rules, OWNER, true))).toEqual({
      message: 'Invalid field(s): title',
      data: { fields: { title: 'required' } },
    });
  });

  it('an update body may leave a required field out', () => {
    expect(schemaBodyColumns({ note: 'n' }, rules, OWNER, false)).toEqual({
      columns: ['note'],
      values: ['n'],
    });
  });

  it('a field that is not required may be left out of a create body', () => {
    expect(schemaBodyColumns({ title: 't' }, rules, OWNER, true)).toEqual({
      columns: ['title'],
      values: ['t'],
    });
  });

  it('an update body that blanks a required string is refused "required"', () => {
    expect(refusal(() => schemaBodyColumns({ title: '  ' }, rules, OWNER, false))).toEqual({
      message: 'Invalid field(s): title',
      data: { fields: { title: 'required' } },
    });
  });
});

describe('the body as a whole', () => {
  const rules = {
    title: rule('string', { required: true, max: 10 }),
    rank: rule('int', { min: 1, max: 5 }),
    done: rule('bool'),
  };

  it.each([null, [], ['title'], 'title', 3, true, undefined])(
    'refuses %j: "Body must be a JSON object"',
    (body) => {
      expect(refusal(() => schemaBodyColumns(body, rules, OWNER, true))).toEqual({
        message: 'Body must be a JSON object',
      });
    },
  );

  for (const [mode, create] of MODES) {
    it(`on ${mode}, an unknown key is "unknown field", named with the others`, () => {
      expect(
        refusal(() => schemaBodyColumns({ title: 'ok', colour: 'red', rank: 9 }, rules, OWNER, create)),
      ).toEqual({
        message: 'Invalid field(s): colour, rank',
        data: { fields: { colour: 'unknown field', rank: 'must be an integer between 1 and 5' } },
      });
    });

    it(`on ${mode}, the owner key is ignored (its value comes from the token), not unknown`, () => {
      expect(schemaBodyColumns({ title: 'ok', user_id: 99 }, rules, OWNER, create)).toEqual({
        columns: ['title'],
        values: ['ok'],
      });
    });

    it(`on ${mode}, a body with only the owner key sets nothing: "Body must set at least one of"`, () => {
      expect(
        refusal(() =>
          schemaBodyColumns({ user_id: 99 }, { rank: rule('int'), done: rule('bool') }, OWNER, create),
        ),
      ).toEqual({ message: 'Body must set at least one of: rank, done' });
    });

    it(`on ${mode}, an empty body sets nothing: "Body must set at least one of"`, () => {
      const optional = { rank: rule('int'), done: rule('bool') };
      expect(refusal(() => schemaBodyColumns({}, optional, OWNER, create))).toEqual({
        message: 'Body must set at least one of: rank, done',
      });
    });

    it(`on ${mode}, only the owner's own name is ignored: a user_id field is written when the owner is another column`, () => {
      const withUserId = { user_id: rule('int'), title: rule('string') };
      expect(
        schemaBodyColumns({ user_id: 5, title: 't', author_id: 9 }, withUserId, 'author_id', create),
      ).toEqual({
        columns: ['user_id', 'title'],
        values: [5, 't'],
      });
    });
  }

  it('columns come in the order of the rules, with the converted values, whatever the body order', () => {
    expect(schemaBodyColumns({ done: true, rank: '3', title: 'x' }, rules, OWNER, true)).toEqual({
      columns: ['title', 'rank', 'done'],
      values: ['x', 3, 1],
    });
  });

  it('names every bad field at once: unknown keys first (body order), then the rules in their order', () => {
    expect(
      refusal(() => schemaBodyColumns({ done: 'yes', zeta: 1, rank: 0, alpha: 2 }, rules, OWNER, true)),
    ).toEqual({
      message: 'Invalid field(s): zeta, alpha, title, rank, done',
      data: {
        fields: {
          zeta: 'unknown field',
          alpha: 'unknown field',
          title: 'required',
          rank: 'must be an integer between 1 and 5',
          done: 'must be true or false',
        },
      },
    });
  });

  it('one bad field refuses the whole body, good fields included', () => {
    expect(refusal(() => schemaBodyColumns({ title: 'fine', done: 2 }, rules, OWNER, false))).toEqual({
      message: 'Invalid field(s): done',
      data: { fields: { done: 'must be true or false' } },
    });
  });

  it('a key of a prototype property is unknown, not a field', () => {
    expect(refusal(() => schemaBodyColumns({ toString: 'x', title: 'ok' }, rules, OWNER, true))).toEqual({
      message: 'Invalid field(s): toString',
      data: { fields: { toString: 'unknown field' } },
    });
    expect(
      refusal(() => schemaBodyColumns({ hasOwnProperty: 1 }, { title: rule('string') }, OWNER, true)),
    ).toEqual({
      message: 'Invalid field(s): hasOwnProperty',
      data: { fields: { hasOwnProperty: 'unknown field' } },
    });
  });

  it('a long unknown key is named by its first 64 characters', () => {
    const key = `${'k'.repeat(64)}${'z'.repeat(36)}`;
    expect(refusal(() => schemaBodyColumns({ [key]: 1, title: 'ok' }, rules, OWNER, true))).toEqual({
      message: `Invalid field(s): ${'k'.repeat(64)}`,
      data: { fields: { ['k'.repeat(64)]: 'unknown field' } },
    });
  });

  it('at most 50 fields are detailed, and the message names 10 of them then "..."', () => {
    const body = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x${i}`, i]));
    const { message, data } = refusal(() => schemaBodyColumns(body, rules, OWNER, false));
    const names = Array.from({ length: 10 }, (_, i) => `x${i}`).join(', ');
    expect(message).toBe(`Invalid field(s): ${names}, ...`);
    const fields = data?.fields as Record<string, string>;
    expect(Object.keys(fields)).toEqual(Array.from({ length: 50 }, (_, i) => `x${i}`));
    expect(new Set(Object.values(fields))).toEqual(new Set(['unknown field']));
  });

  it('exactly 10 bad fields are all named, without "..."', () => {
    const body = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, i]));
    const { message } = refusal(() => schemaBodyColumns(body, rules, OWNER, false));
    expect(message).toBe(`Invalid field(s): ${Array.from({ length: 10 }, (_, i) => `x${i}`).join(', ')}`);
  });
});

describe('the rules a schema gives (readOnly fields, defaults, type ranges)', () => {
  const SCHEMA = `tables:
  users:
    fields:
      id: { type: int, primary: true, auto: true }
      email: { type: email, unique: true, auth: login }
      password: { type: string, auth: password, hidden: true }
  notes:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      title: { type: string, max: 100, required: true }
      secret: { type: string, max: 20, hidden: true }
      status: { type: enum, values: [draft, done], default: draft, required: true }
      rank: { type: int, default: 0 }
      score: { type: bigint }
      due: { type: date }
      nick: { type: string }
    timestamps: true
    crud: [list, show, create, update, delete]
`;
  let dir: string;
  let rules: Readonly<Record<string, FieldRule>>;
  let updateRules: Readonly<Record<string, FieldRule>>;
  let ownerField: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sgv-'));
    for (const sub of ['routes', 'schema']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'jwt'), 'schema-values-test-secret-0123456789abcdef0123\n');
    writeFileSync(
      join(dir, 'routes', 'notes.yaml'),
      'app: notes\nhosts: [notes.test]\ndatabase:\n  driver: sqlite\n  file: app.db\n  create: true\nauth:\n  jwt_secret_file: jwt\n',
    );
    writeFileSync(join(dir, 'schema', 'notes.yaml'), SCHEMA);
    const resource = loadPlatformConfig(dir).apps.notes!.resources.notes!;
    rules = resource.create!.rules!;
    updateRules = resource.update!.rules!;
    ownerField = resource.ownerField;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('only the fields a body may set have rules: not the auto key, the owner or the timestamps', () => {
    expect(Object.keys(rules)).toEqual(['title', 'secret', 'status', 'rank', 'score', 'due', 'nick']);
    expect(updateRules).toEqual(rules);
    expect(ownerField).toBe('user_id');
  });

  for (const [mode, create] of MODES) {
    it(`on ${mode}, the auto primary key and the timestamps are "unknown field"; the owner is ignored`, () => {
      const body = {
        id: 7,
        created_at: '2024-01-01 00:00:00',
        updated_at: '2024-01-01 00:00:00',
        user_id: 99,
        title: 'x',
      };
      expect(refusal(() => schemaBodyColumns(body, rules, ownerField, create))).toEqual({
        message: 'Invalid field(s): id, created_at, updated_at',
        data: {
          fields: { id: 'unknown field', created_at: 'unknown field', updated_at: 'unknown field' },
        },
      });
    });
  }

  it('a hidden field is writable (hidden only keeps it out of reads)', () => {
    expect(schemaBodyColumns({ title: 't', secret: 's' }, rules, ownerField, true)).toEqual({
      columns: ['title', 'secret'],
      values: ['t', 's'],
    });
  });

  it('a field with a default is optional on create even when required, and NOT NULL', () => {
    expect(rules.status).toEqual({
      type: 'enum',
      required: false,
      nullable: false,
      values: ['draft', 'done'],
    });
    expect(schemaBodyColumns({ title: 't' }, rules, ownerField, true).columns).toEqual(['title']);
    expect(refusal(() => schemaBodyColumns({ title: 't', status: null }, rules, ownerField, true))).toEqual({
      message: 'Invalid field(s): status',
      data: { fields: { status: 'must not be null' } },
    });
  });

  it('a required field without a default must be in a create body; a plain field is nullable', () => {
    expect(refusal(() => schemaBodyColumns({ due: null }, rules, ownerField, true))).toEqual({
      message: 'Invalid field(s): title',
      data: { fields: { title: 'required' } },
    });
    expect(schemaBodyColumns({ due: null }, rules, ownerField, false)).toEqual({
      columns: ['due'],
      values: [null],
    });
  });

  it('an int without min/max is bounded by the INT column, a bigint by the safe integers', () => {
    expect(refusal(() => schemaBodyColumns({ rank: 2_147_483_648 }, rules, ownerField, false))).toEqual({
      message: 'Invalid field(s): rank',
      data: { fields: { rank: 'must be an integer between -2147483648 and 2147483647' } },
    });
    expect(schemaBodyColumns({ rank: -2_147_483_648 }, rules, ownerField, false).values).toEqual([
      -2_147_483_648,
    ]);
    expect(schemaBodyColumns({ score: '9007199254740991' }, rules, ownerField, false).values).toEqual([
      9_007_199_254_740_991,
    ]);
  });

  it('a string is bounded by its max, 255 characters without one', () => {
    expect(
      refusal(() =>
        schemaBodyColumns({ secret: 'x'.repeat(21), nick: 'n'.repeat(256) }, rules, ownerField, false),
      ),
    ).toEqual({
      message: 'Invalid field(s): secret, nick',
      data: { fields: { secret: 'must be at most 20 characters', nick: 'must be at most 255 characters' } },
    });
    expect(schemaBodyColumns({ nick: 'n'.repeat(255) }, rules, ownerField, false).columns).toEqual(['nick']);
  });
});
