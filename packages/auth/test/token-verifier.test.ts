import { describe, expect, it } from 'vitest';
import { signToken, TokenError, TokenVerifier } from '../src/index.js';

const SECRET = 'cache-secret-0123456789';
const USER = { sub: 3, email: 'b@example.com', name: 'Bob', app: 'prokov', role: 'user' };
const HOUR = 3_600_000;

async function message(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return (err as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('TokenVerifier', () => {
  it('caches a verified token and answers the same claims', async () => {
    const verifier = new TokenVerifier({ secret: SECRET });
    const token = await signToken(USER, SECRET, HOUR);
    const first = await verifier.verify(token, 'prokov');
    expect(verifier.size).toBe(1);
    expect(await verifier.verify(token, 'prokov')).toBe(first);
  });

  it('does not accept a tampered token even when the original is cached', async () => {
    const verifier = new TokenVerifier({ secret: SECRET });
    const token = await signToken(USER, SECRET, HOUR);
    await verifier.verify(token, 'prokov');
    const [head, payload, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 1, role: 'admin' })).toString('base64url');
    expect(await message(verifier.verify(`${head}.${forged}.${sig}`, 'prokov'))).toBe('Invalid token');
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    expect(await message(verifier.verify(`${head}.${payload}.${flipped}`, 'prokov'))).toBe('Invalid token');
    expect(verifier.size).toBe(1);
  });

  it('does not cache failures', async () => {
    const verifier = new TokenVerifier({ secret: SECRET });
    const token = await signToken(USER, 'other-secret', HOUR);
    expect(await message(verifier.verify(token, 'prokov'))).toBe('Invalid token');
    expect(verifier.size).toBe(0);
  });

  it('expires a cached entry at the token exp', async () => {
    let now = Date.UTC(2025, 5, 1);
    const verifier = new TokenVerifier({ secret: SECRET, now: () => now });
    const token = await signToken(USER, SECRET, HOUR, now);
    await verifier.verify(token, 'prokov');
    now += HOUR - 1;
    await expect(verifier.verify(token, 'prokov')).resolves.toMatchObject({ sub: 3 });
    now += 1;
    expect(await message(verifier.verify(token, 'prokov'))).toBe('Token expired');
    expect(verifier.size).toBe(0);
  });

  it('checks the app on a cache hit', async () => {
    const verifier = new TokenVerifier({ secret: SECRET });
    const token = await signToken(USER, SECRET, HOUR);
    await verifier.verify(token, 'prokov');
    expect(await message(verifier.verify(token, 'other'))).toBe('Invalid token');
  });

  it('is bound to its secret: a verifier for another secret refuses the token', async () => {
    const token = await signToken(USER, SECRET, HOUR);
    await new TokenVerifier({ secret: SECRET }).verify(token, 'prokov');
    expect(await message(new TokenVerifier({ secret: 'rotated' }).verify(token, 'prokov'))).toBe(
      'Invalid token',
    );
  });

  it('evicts the least recently used entry when full', async () => {
    const verifier = new TokenVerifier({ secret: SECRET, maxEntries: 2 });
    const [a, b, c] = await Promise.all([1, 2, 3].map((sub) => signToken({ ...USER, sub }, SECRET, HOUR)));
    await verifier.verify(a!, 'prokov');
    await verifier.verify(b!, 'prokov');
    await verifier.verify(a!, 'prokov'); // a is now the most recent
    await verifier.verify(c!, 'prokov'); // evicts b
    expect(verifier.size).toBe(2);
    expect([verifier.has(a!), verifier.has(b!), verifier.has(c!)]).toEqual([true, false, true]);
  });

  it('reports a missing token', async () => {
    expect(await message(new TokenVerifier({ secret: SECRET }).verify(undefined, 'prokov'))).toBe(
      'Missing token',
    );
  });
});
