// Issue "auth hardening" (items 1–4 and the login includes), in process: the limiter's memory cap, email
// normalisation, login passwords past 72 bytes and the byte budget of the login includes. The same items are
// shown on real processes, on both drivers, in tests/e2e/auth-hardening.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_KEYS, FixedWindowLimiter, MAX_KEY_CHARS } from '../src/auth/rate-limit.js';
import { LOGIN_INCLUDE_BUDGET_BYTES } from '../src/auth/routes.js';
import { canonicalEmail } from '../src/auth/users.js';
import { type Fixture, PASSWORD, startFixture } from './helpers/fixture.js';

describe('rate limiter memory is bounded whatever the keys (item 1)', () => {
  it('a flood of distinct keys, some of 100 kB, keeps the size at or under the cap', () => {
    const limiter = new FixedWindowLimiter(() => 0, 1000);
    const huge = 'x'.repeat(100_000);
    for (let i = 0; i < 5000; i++) {
      const key = i % 100 === 0 ? `${huge}${i}` : `k${i}`;
      expect(limiter.hit(key, 10, 900_000).allowed).toBe(true);
      expect(limiter.size).toBeLessThanOrEqual(1000);
    }
    expect(limiter.size).toBe(1000);
    // A long key is still counted as itself (stored as a digest).
    const key = `${huge}-again`;
    limiter.hit(key, 1, 900_000);
    expect(limiter.hit(key, 1, 900_000).allowed).toBe(false);
    expect(MAX_KEY_CHARS).toBeLessThanOrEqual(64);
    expect(new FixedWindowLimiter(() => 0).maxKeys).toBe(DEFAULT_MAX_KEYS);
  });

  it('a lockout survives a flood of fresh keys in a full table', () => {
    const limiter = new FixedWindowLimiter(() => 0, 100);
    for (let i = 0; i < 10; i++) limiter.hit('victim', 10, 900_000);
    expect(limiter.hit('victim', 10, 900_000).allowed).toBe(false);
    for (let i = 0; i < 10_000; i++) limiter.hit(`flood${i}`, 10, 900_000);
    expect(limiter.size).toBeLessThanOrEqual(100);
    expect(limiter.check('victim', 10, 900_000).allowed).toBe(false);
  });
});

describe('email normalisation (item 2)', () => {
  it('NFKC, invisible characters, case and spaces give one canonical address', () => {
    for (const variant of [
      'alice@example.com',
      ' ALICE@Example.COM ',
      'ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ',
      'ali\u200bce@example.com',
      '\ufeffalice@exam\u200dple.com',
      'al\u00adice@example.com\u2060',
      'alice\u0007@example.com',
    ])
      expect(canonicalEmail(variant)).toBe('alice@example.com');
    expect(canonicalEmail('alicé@example.com')).not.toBe('alice@example.com');
  });
});

describe('auth routes (items 1, 2, 4 and includes), in process', () => {
  let f: Fixture;
  let alice: { id: number; token: string };
  beforeAll(async () => {
    f = await startFixture();
    alice = await f.register('alice@example.com', 'Alice');
  });
  afterAll(async () => {
    await f?.close();
  });

  const post = (url: string, body: unknown) => f.request({ method: 'POST', url, body });

  it('item 1: a 1 MB or 255-character email is refused with 400 on login, register and forgot, before any lookup', async () => {
    const before = f.db.statements.length;
    for (const email of ['a'.repeat(1000 * 1000), `${'a'.repeat(243)}@example.com`, 'not an email']) {
      for (const url of ['/api/auth/login', '/api/auth/register', '/api/auth/password/forgot']) {
        const res = await post(url, { email, password: PASSWORD, name: 'X' });
        expect({ url, status: res.status, code: res.body.error?.code }).toEqual({
          url,
          status: 400,
          code: 'VALIDATION_ERROR',
        });
        expect(res.raw.length).toBeLessThan(1000);
      }
    }
    // The registration's session housekeeping (never awaited) may land meanwhile: it is no lookup of these.
    const lookups = f.db.statements.slice(before).filter((st) => !st.query.includes('sogoms_sessions'));
    expect(lookups).toEqual([]);
    expect(f.logs.calls.filter((c) => JSON.stringify(c.params).length > 2000)).toEqual([]);
  });

  it('item 2: registration stores the canonical address and login takes any invisible/full-width variant', async () => {
    const res = await post('/api/auth/register', {
      email: 'ＣＡＲＯＬ\u200b@Example.com',
      password: PASSWORD,
      name: 'Carol',
    });
    expect(res.status).toBe(201);
    expect(f.sql('SELECT email FROM users WHERE name = ?', ['Carol'])).toEqual([
      { email: 'carol@example.com' },
    ]);
    expect(
      (await post('/api/auth/login', { email: 'carol\ufeff@example.com', password: PASSWORD })).status,
    ).toBe(200);
    const again = await post('/api/auth/register', {
      email: 'car\u2060ol@example.com',
      password: PASSWORD,
      name: 'C',
    });
    expect(again.status).toBe(409);
  });

  it('item 4: login refuses a password past 72 bytes instead of accepting any suffix', async () => {
    const long = 'p'.repeat(72);
    await f.register('erin@example.com', 'Erin', long);
    const res = await post('/api/auth/login', { email: 'erin@example.com', password: `${long}suffix` });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Password must be at most 72 bytes long',
    });
    expect((await post('/api/auth/login', { email: 'erin@example.com', password: long })).status).toBe(200);
  });

  it('login includes stop at a byte budget instead of overflowing a frame, and say which were cut', async () => {
    const description = 'd'.repeat(60_000);
    for (let i = 0; i < 300; i++)
      f.sql('INSERT INTO tasks (user_id, title, description, position) VALUES (?, ?, ?, ?)', [
        alice.id,
        `task ${i}`,
        description,
        i,
      ]);
    f.sql('INSERT INTO tags (user_id, name) VALUES (?, ?)', [alice.id, 'small']);
    const res = await post('/api/auth/login', { email: 'alice@example.com', password: PASSWORD });
    expect(res.status, res.raw.slice(0, 300)).toBe(200);
    expect(res.raw.length).toBeLessThan(LOGIN_INCLUDE_BUDGET_BYTES + 4096);
    const data = res.body.data as { tasks: { title: string }[]; tags: { name: string }[] };
    const fit = Math.floor(LOGIN_INCLUDE_BUDGET_BYTES / 60_200);
    expect(data.tasks.length).toBeGreaterThanOrEqual(fit - 2);
    expect(data.tasks.length).toBeLessThanOrEqual(fit);
    expect(data.tasks.map((t) => t.title).slice(0, 3)).toEqual(['task 0', 'task 1', 'task 2']);
    expect(data.tags.map((t) => t.name)).toEqual(['small']);
    expect(res.body.meta).toEqual({ include_truncated: ['tasks'] });
  });
});
