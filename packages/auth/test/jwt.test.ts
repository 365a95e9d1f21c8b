import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, TokenError, verifyToken } from '../src/index.js';

const SECRET = 'test-secret-0123456789abcdef';
const USER = { sub: 7, email: 'a@example.com', name: 'Alice', app: 'prokov', role: 'user' };
const HOUR = 3_600_000;

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Builds a token by hand, so tests can forge headers and payloads jose would refuse to produce. */
function forge(header: object, payload: object, secret: string | null): string {
  const head = `${b64(header)}.${b64(payload)}`;
  if (secret === null) return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('signToken / verifyToken', () => {
  it('round-trips every claim, sub as a number, with iat, exp and a unique jti', async () => {
    const now = Date.UTC(2025, 11, 16, 12, 0, 0);
    const token = await signToken(USER, SECRET, 24 * HOUR, now);
    const claims = await verifyToken(token, SECRET, 'prokov', now + 1000);
    expect(claims).toMatchObject(USER);
    expect(claims.iat).toBe(now / 1000);
    expect(claims.exp).toBe(now / 1000 + 86_400);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const other = await verifyToken(await signToken(USER, SECRET, HOUR, now), SECRET, 'prokov', now);
    expect(other.jti).not.toBe(claims.jti);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('reports a missing token', async () => {
    expect(await reason(verifyToken(undefined, SECRET, 'prokov'))).toBe('Missing token');
    expect(await reason(verifyToken('', SECRET, 'prokov'))).toBe('Missing token');
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = forge({ alg: 'none', typ: 'JWT' }, { ...USER, iat: now, exp: now + 60, jti: 'x' }, null);
    expect(await reason(verifyToken(token, SECRET, 'prokov'))).toBe('Invalid token');
  });

  it('refuses HS512 and HS384 even with the right secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...USER, iat: now, exp: now + 60, jti: 'x' };
    const head = `${b64({ alg: 'HS512' })}.${b64(payload)}`;
    const token = `${head}.${createHmac('sha512', SECRET).update(head).digest('base64url')}`;
    expect(await reason(verifyToken(token, SECRET, 'prokov'))).toBe('Invalid token');
  });

  it('accepts a hand-built HS256 token, proving the forge helper matches jose', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = forge({ alg: 'HS256' }, { ...USER, iat: now, exp: now + 60, jti: 'x' }, SECRET);
    expect((await verifyToken(token, SECRET, 'prokov')).sub).toBe(7);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signToken(USER, 'another-secret', HOUR);
    expect(await reason(verifyToken(token, SECRET, 'prokov'))).toBe('Invalid token');
  });

  it('refuses a tampered payload', async () => {
    const token = await signToken(USER, SECRET, HOUR);
    const [head, , sig] = token.split('.');
    const now = Math.floor(Date.now() / 1000);
    const tampered = `${head}.${b64({ ...USER, role: 'admin', iat: now, exp: now + 60, jti: 'x' })}.${sig}`;
    expect(await reason(verifyToken(tampered, SECRET, 'prokov'))).toBe('Invalid token');
  });

  it('reports an expired token, exactly at exp', async () => {
    const now = Date.UTC(2025, 0, 1);
    const token = await signToken(USER, SECRET, HOUR, now);
    await expect(verifyToken(token, SECRET, 'prokov', now + HOUR - 1000)).resolves.toMatchObject({ sub: 7 });
    expect(await reason(verifyToken(token, SECRET, 'prokov', now + HOUR))).toBe('Token expired');
  });

  it('refuses a token of another app', async () => {
    const token = await signToken({ ...USER, app: 'other' }, SECRET, HOUR);
    expect(await reason(verifyToken(token, SECRET, 'prokov'))).toBe('Invalid token');
  });

  it('refuses malformed tokens and wrongly typed claims', async () => {
    expect(await reason(verifyToken('abc', SECRET, 'prokov'))).toBe('Invalid token');
    expect(await reason(verifyToken('a.b.c', SECRET, 'prokov'))).toBe('Invalid token');
    const now = Math.floor(Date.now() / 1000);
    const base = { ...USER, iat: now, exp: now + 60, jti: 'x' };
    for (const bad of [
      { sub: '7' },
      { sub: -1 },
      { sub: 1.5 },
      { role: '' },
      { email: 3 },
      { exp: undefined },
    ]) {
      const token = forge({ alg: 'HS256' }, { ...base, ...bad }, SECRET);
      expect(await reason(verifyToken(token, SECRET, 'prokov'))).toBe('Invalid token');
    }
  });
});
