// Issue item 16 in the gateway: create/update values are checked against the column types sogoms-db describes,
// before any statement; a failed describe blocks nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../src/crud/columns.js';
import { DESCRIBE_RETRY_MS } from '../src/crud/columns.js';
import { checkColumnValues } from '../src/crud/validate.js';
import { type Fixture, startFixture } from './helpers/fixture.js';

const columns = (...list: ColumnInfo[]) => new Map(list.map((c) => [c.name, c]));
const position: ColumnInfo = {
  name: 'position',
  type: 'integer',
  nullable: false,
  min: -2_147_483_648,
  max: 2_147_483_647,
};
const name: ColumnInfo = { name: 'name', type: 'text', nullable: false, max_length: 5 };
const notes: ColumnInfo = { name: 'notes', type: 'text', nullable: true, max_bytes: 6 };
const due: ColumnInfo = { name: 'due', type: 'date', nullable: true };
const TYPES = columns(position, name, notes, due);

function refusal(cols: string[], values: (string | number | boolean | null)[]): string | undefined {
  try {
    checkColumnValues(TYPES, cols, values);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('checkColumnValues', () => {
  it.each([
    ['abc', 'Field "position" must be an integer between -2147483648 and 2147483647'],
    [1.5, 'Field "position" must be an integer between -2147483648 and 2147483647'],
    [2 ** 53, 'Field "position" must be an integer between -2147483648 and 2147483647'],
    [2_147_483_648, 'Field "position" must be an integer between -2147483648 and 2147483647'],
    ['1.0', 'Field "position" must be an integer between -2147483648 and 2147483647'],
    [null, 'Field "position" must not be null'],
  ])('refuses position %j', (value, message) => {
    expect(refusal(['position'], [value])).toBe(message);
  });

  it('turns digit strings into numbers for integer columns and numbers into text for text columns', () => {
    const values: (string | number | boolean | null)[] = ['-12', 12, true, null, '2024-02-29'];
    checkColumnValues(TYPES, ['position', 'name', 'other', 'notes', 'due'], values);
    expect(values).toEqual([-12, '12', true, null, '2024-02-29']);
  });

  it('counts characters as the databases do (an emoji is one), bytes as UTF-8', () => {
    expect(refusal(['name'], ['😀😀😀😀😀'])).toBeUndefined();
    expect(refusal(['name'], ['😀😀😀😀😀😀'])).toBe('Field "name" is too long (max 5 characters)');
    expect(refusal(['name'], ['x'.repeat(900_000)])).toBe('Field "name" is too long (max 5 characters)');
    expect(refusal(['notes'], ['ééé'])).toBeUndefined();
    expect(refusal(['notes'], ['éééé'])).toBe('Field "notes" is too long (max 6 bytes)');
  });

  it('dates must be real YYYY-MM-DD days', () => {
    for (const bad of ['2025-02-30', '2025-13-01', '25-01-01', 'soon', 20250101]) {
      expect(refusal(['due'], [bad])).toBe('Field "due" must be a date (YYYY-MM-DD)');
    }
  });
});

describe('column types through the gateway', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('a body value the column cannot hold is 400 naming the field, and nothing is written', async () => {
    f = await startFixture();
    const { token } = await f.register('a@example.com', 'A');
    const count = () => Number(f!.sql('SELECT COUNT(*) AS n FROM projects')[0]!.n);
    for (const body of [
      { name: 'P', position: 'abc' },
      { name: 'P', position: 1.5 },
      { name: 'x'.repeat(151) },
    ]) {
      const res = await f.request({ method: 'POST', url: '/api/projects', token, body });
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toMatch(/^Field "(position|name)" /);
    }
    expect(count()).toBe(0);
  });

  it('without describe (older sogoms-db) requests go through and the database answers; asked again later', async () => {
    f = await startFixture();
    f.db.noDescribe = true;
    const { token } = await f.register('a@example.com', 'A');
    const ok = await f.request({ method: 'POST', url: '/api/projects', token, body: { name: 'P' } });
    expect(ok.status).toBe(201);
    const long = await f.request({
      method: 'POST',
      url: '/api/projects',
      token,
      body: { name: 'x'.repeat(151) },
    });
    // The STRICT schema's CHECK refuses it: still a 400, in the database's words.
    expect([long.status, long.body.error?.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(f.logged.filter((l) => l.msg?.startsWith('column types unavailable'))).toHaveLength(1);
    f.db.noDescribe = false;
    f.now += DESCRIBE_RETRY_MS;
    const checked = await f.request({
      method: 'POST',
      url: '/api/projects',
      token,
      body: { name: 'x'.repeat(151) },
    });
    expect(checked.body.error?.message).toBe('Field "name" is too long (max 150 characters)');
  });
});
