// Table-driven tests of what a token and a password check must refuse, one row per claim or input shape.
// Each row pins a behaviour that mutation testing (`pnpm test:mutation auth`, docs/MUTATION.md) found unpinned.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_BCRYPT_COST,
  hashPassword,
  prepareDummyHash,
  signToken,
  TokenError,
  TokenVerifier,
  verifyPassword,
  verifyToken,
} from '../src/index.js';

const SECRET = 'claims-secret-0123456789';
const USER = { sub: 9, email: 'c@example.com', name: 'Carol', app: 'prokov', role: 'user' };
const HOUR = 3_600_000;

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A correctly signed HS256 token with any payload, so claims jose would never produce can be tested. */
function forge(payload: object): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return `${(err as TokenError).reason}: ${(err as Error).message}`;
  }
  throw new Error('expected a rejection');
}

describe('verifyToken refuses a correctly signed token whose claims have the wrong type', () => {
  const now = Math.floor(Date.UTC(2025, 2, 1) / 1000);
  const valid = { ...USER, iat: now, exp: now + 60, jti: 'j-1' };
  const bad: Array<[string, object]> = [
    ['sub = 0', { sub: 0 }],
    ['sub beyond the safe integers', { sub: 2 ** 53 }],
    ['sub as a string', { sub: '9' }],
    ['email missing', { email: undefined }],
    ['name as a number', { name: 42 }],
    ['name as an array', { name: ['Carol'] }],
    ['role as an array', { role: ['admin'] }],
    ['role as an object', { role: { admin: true } }],
    ['role empty', { role: '' }],
    ['jti as a number', { jti: 5 }],
    ['jti as an array', { jti: ['j-1'] }],
    ['app as an array', { app: ['prokov'] }],
  ];
  it('accepts the unaltered payload (the baseline of the table)', async () => {
    await expect(verifyToken(forge(valid), SECRET, 'prokov', now * 1000)).resolves.toEqual(valid);
  });
  it.each(bad)('%s', async (_name, change) => {
    expect(await refusal(verifyToken(forge({ ...valid, ...change }), SECRET, 'prokov', now * 1000))).toBe(
      'invalid: Invalid token',
    );
  });
});

describe('the session id claim (sid)', () => {
  const now = Math.floor(Date.UTC(2025, 2, 1) / 1000);
  const valid = { ...USER, iat: now, exp: now + 60, jti: 'j-1' };
  const verify = (payload: object) => verifyToken(forge(payload), SECRET, 'prokov', now * 1000);

  it('is optional, and absent from the claims when the token has none', async () => {
    const claims = await verify(valid);
    expect('sid' in claims).toBe(false);
  });

  it('is kept when it is a string of 1 to 64 characters', async () => {
    for (const sid of ['s', 'x'.repeat(64)]) expect((await verify({ ...valid, sid })).sid).toBe(sid);
  });

  const bad: Array<[string, unknown]> = [
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a number', 5],
    ['an array', ['s']],
    ['null', null],
  ];
  it.each(bad)('refuses a sid that is %s', async (_name, sid) => {
    expect(await refusal(verify({ ...valid, sid }))).toBe('invalid: Invalid token');
  });

  it('is signed only when given', async () => {
    const payload = async (claims: object) => {
      const token = await signToken(claims as typeof USER, SECRET, HOUR);
      return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    };
    expect('sid' in (await payload(USER))).toBe(false);
    expect((await payload({ ...USER, sid: 'fam-1' })).sid).toBe('fam-1');
  });
});

describe('signToken / verifyToken edges', () => {
  it('refuses to sign with an empty secret and answers Invalid token when verifying with one', async () => {
    await expect(signToken(USER, '', HOUR)).rejects.toThrow('cannot sign a token with an empty secret');
    const token = await signToken(USER, SECRET, HOUR);
    expect(await refusal(verifyToken(token, '', 'prokov'))).toBe('invalid: Invalid token');
    expect(await refusal(verifyToken(null, SECRET, 'prokov'))).toBe('missing: Missing token');
    await expect(verifyToken(null, SECRET, 'prokov')).rejects.toMatchObject({ name: 'TokenError' });
  });

  const lifetimes: Array<[number, number]> = [
    [0, 1],
    [1, 1],
    [1500, 2],
    [HOUR, 3600],
  ];
  it.each(lifetimes)('a lifetime of %d ms gives exp = iat + %d s', async (expiryMs, seconds) => {
    const now = Date.UTC(2025, 2, 1, 0, 0, 0, 999);
    const claims = await verifyToken(await signToken(USER, SECRET, expiryMs, now), SECRET, 'prokov', now);
    expect(claims.iat).toBe(Math.floor(now / 1000));
    expect(claims.exp - claims.iat).toBe(seconds);
  });

  it('keeps verifying tokens of the first secret after many other secrets were used', async () => {
    const first = await signToken(USER, SECRET, HOUR);
    for (let i = 0; i < 20; i++) await signToken(USER, `${SECRET}-${i}`, HOUR);
    await expect(verifyToken(first, SECRET, 'prokov')).resolves.toMatchObject({ sub: 9 });
    expect(await refusal(verifyToken(first, `${SECRET}-3`, 'prokov'))).toBe('invalid: Invalid token');
  });
});

describe('TokenVerifier cache bounds', () => {
  const tokens = (n: number, now: number, expiryMs = HOUR) =>
    Promise.all(
      Array.from({ length: n }, (_, i) => signToken({ ...USER, sub: i + 1 }, SECRET, expiryMs, now)),
    );

  it('holds at least one entry even when told 0, and many by default', async () => {
    const tiny = new TokenVerifier({ secret: SECRET, maxEntries: 0 });
    const roomy = new TokenVerifier({ secret: SECRET });
    for (const t of await tokens(3, Date.now())) {
      await tiny.verify(t, 'prokov');
      await roomy.verify(t, 'prokov');
    }
    expect(tiny.size).toBe(1);
    expect(roomy.size).toBe(3);
    roomy.clear();
    expect(roomy.size).toBe(0);
  });

  it('drops expired entries before the least recently used one, expired exactly at exp', async () => {
    let now = Date.UTC(2025, 4, 1);
    const verifier = new TokenVerifier({ secret: SECRET, maxEntries: 2, now: () => now });
    const [short] = await tokens(1, now, 60_000);
    const [, long, next] = await tokens(3, now);
    await verifier.verify(short!, 'prokov');
    await verifier.verify(long!, 'prokov');
    await verifier.verify(short!, 'prokov'); // `long` is now the least recently used
    now += 60_000; // `short` expires now: it goes, and `long` can stay
    await verifier.verify(next!, 'prokov');
    expect([verifier.has(short!), verifier.has(long!), verifier.has(next!)]).toEqual([false, true, true]);
  });
});

describe('TokenVerifier sweeps lazily', () => {
  it('leaves an expired entry in place until the cache is full (no sweep on every insert)', async () => {
    let now = Date.UTC(2025, 4, 1);
    const verifier = new TokenVerifier({ secret: SECRET, maxEntries: 3, now: () => now });
    const old = await signToken(USER, SECRET, 60_000, now);
    await verifier.verify(old, 'prokov');
    now += 120_000;
    await verifier.verify(await signToken({ ...USER, sub: 2 }, SECRET, HOUR, now), 'prokov');
    expect([verifier.size, verifier.has(old)]).toEqual([2, true]);
  });
});

describe('verifyPassword keeps unknown-user logins as slow as wrong passwords', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const COST = 4;

  const notBcrypt: Array<[string, string | null | undefined]> = [
    ['no hash (unknown user)', undefined],
    ['null hash', null],
    ['empty hash', ''],
    ['plain text', 'plaintext'],
    ['unknown $2x$ variant', '$2x$04$' + 'a'.repeat(53)],
    ['one digit of cost', '$2b$4$' + 'a'.repeat(53)],
    ['letters for the cost', '$2b$ab$' + 'a'.repeat(53)],
    ['a salt+hash one character short', '$2b$04$' + 'a'.repeat(52)],
    ['a salt+hash one character long', '$2b$04$' + 'a'.repeat(54)],
    ['a character outside the bcrypt alphabet', '$2b$04$' + 'a'.repeat(52) + '!'],
    ['text before the hash', 'x$2b$04$' + 'a'.repeat(53)],
  ];
  it.each(notBcrypt)('%s: compares against the dummy hash and answers false', async (_name, hash) => {
    const compare = vi.spyOn(bcrypt, 'compare');
    expect(await verifyPassword('secret', hash, COST)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    const [plain, against] = compare.mock.calls[0]! as unknown as [string, string];
    expect(plain).toBe('secret');
    expect(against).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(against).not.toBe(hash);
  });

  it('compares a real hash directly, normalising $2y$ to $2b$ and leaving $2a$ alone', async () => {
    const hash = await hashPassword('pw', COST);
    const compare = vi.spyOn(bcrypt, 'compare');
    expect(await verifyPassword('pw', '$2y$' + hash.slice(4), COST)).toBe(true);
    expect(await verifyPassword('pw', '$2a$' + hash.slice(4), COST)).toBe(true);
    expect(compare.mock.calls.map((c) => c[1])).toEqual(['$2b$' + hash.slice(4), '$2a$' + hash.slice(4)]);
  });

  it('makes the dummy hash once per cost, at the default cost when none is given', async () => {
    await prepareDummyHash(5);
    const hashing = vi.spyOn(bcrypt, 'hash');
    const compare = vi.spyOn(bcrypt, 'compare');
    await verifyPassword('a', undefined, 5);
    await verifyPassword('b', undefined, 5);
    expect(hashing).not.toHaveBeenCalled();
    await verifyPassword('c', undefined);
    expect(hashing).toHaveBeenCalledTimes(1);
    expect(hashing.mock.calls[0]![1]).toBe(DEFAULT_BCRYPT_COST);
    expect(DEFAULT_BCRYPT_COST).toBe(10);
    expect(compare.mock.calls.map((c) => String(c[1]).slice(0, 7))).toEqual([
      '$2b$05$',
      '$2b$05$',
      '$2b$10$',
    ]);
  });
});
