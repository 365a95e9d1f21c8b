// Bearer tokens at the gateway: every refused token is 401 UNAUTHORIZED with the SPEC's message.
import { createHmac } from 'node:crypto';
import { signToken } from '@sogoms/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, OTHER_HOST, OTHER_SECRET, SECRET, startFixture } from './helpers/fixture.js';

let f: Fixture;
let alice: { id: number; token: string };
// The session the gateway opened at registration: a hand-made token must name it (the app has sessions).
let sid: string;

beforeAll(async () => {
  f = await startFixture();
  alice = await f.register('alice@example.com', 'Alice');
  sid = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString()).sid;
});
afterAll(async () => {
  await f?.close();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(extra: object = {}) {
  const iat = Math.floor(f.now / 1000);
  return {
    sub: alice.id,
    email: 'alice@example.com',
    name: 'Alice',
    app: 'prokov',
    role: 'user',
    iat,
    exp: iat + 600,
    jti: 'j',
    sid,
    ...extra,
  };
}

function hs256(header: object, payload: object, secret: string): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

async function expect401(headers: Record<string, string>, message: string): Promise<void> {
  const res = await f.request({ url: '/api/projects', headers });
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ success: false, error: { code: 'UNAUTHORIZED', message } });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('bearer tokens', () => {
  it('accepts a good token', async () => {
    expect((await f.request({ url: '/api/projects', headers: bearer(alice.token) })).status).toBe(200);
    expect(
      (await f.request({ url: '/api/projects', headers: bearer(hs256({ alg: 'HS256' }, claims(), SECRET)) }))
        .status,
    ).toBe(200);
  });

  it('Missing token: no header, an empty one, or "Bearer" alone', async () => {
    await expect401({}, 'Missing token');
    await expect401({ authorization: '' }, 'Missing token');
    await expect401({ authorization: 'Bearer ' }, 'Missing token');
  });

  it('Invalid token: alg none', async () => {
    await expect401(bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`), 'Invalid token');
    await expect401(bearer(`${b64({ alg: 'none' })}.${b64(claims({ role: 'admin' }))}`), 'Invalid token');
  });

  it('Invalid token: another algorithm, even with the right secret', async () => {
    const head = `${b64({ alg: 'HS512' })}.${b64(claims())}`;
    const sig = createHmac('sha512', SECRET).update(head).digest('base64url');
    await expect401(bearer(`${head}.${sig}`), 'Invalid token');
  });

  it('Invalid token: wrong secret', async () => {
    await expect401(bearer(hs256({ alg: 'HS256' }, claims(), 'not-the-secret')), 'Invalid token');
  });

  it('Invalid token: tampered payload (after the real token was cached)', async () => {
    await f.request({ url: '/api/projects', headers: bearer(alice.token) });
    const [head, , sig] = alice.token.split('.');
    await expect401(bearer(`${head}.${b64(claims({ role: 'admin', sub: 1 }))}.${sig}`), 'Invalid token');
  });

  it('Invalid token: garbage and other schemes', async () => {
    await expect401(bearer('abc.def.ghi'), 'Invalid token');
    await expect401(bearer('not-a-jwt'), 'Invalid token');
    await expect401({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'Invalid token');
    await expect401({ authorization: alice.token }, 'Invalid token');
  });

  it('Invalid token: a token of another app, even signed with that app’s secret', async () => {
    const other = await signToken(
      { sub: alice.id, email: 'a@x', name: 'A', app: 'other', role: 'user' },
      OTHER_SECRET,
      60_000,
      f.now,
    );
    await expect401(bearer(other), 'Invalid token');
    // The prokov secret with app "other" is refused too.
    await expect401(bearer(hs256({ alg: 'HS256' }, claims({ app: 'other' }), SECRET)), 'Invalid token');
    // And a prokov token on the other app's host.
    const res = await f.request({ url: '/api/projects', host: OTHER_HOST, headers: bearer(alice.token) });
    expect(res.status).toBe(401);
    expect(res.body.error?.message).toBe('Invalid token');
  });

  it('Token expired: at exp, also once cached; the scheme is case-insensitive', async () => {
    const token = await signToken(
      { sub: alice.id, email: 'alice@example.com', name: 'Alice', app: 'prokov', role: 'user', sid },
      SECRET,
      60_000,
      f.now,
    );
    expect(
      (await f.request({ url: '/api/projects', headers: { authorization: `bearer ${token}` } })).status,
    ).toBe(200);
    const saved = f.now;
    f.now += 60_000;
    try {
      await expect401(bearer(token), 'Token expired');
      await expect401(
        bearer(hs256({ alg: 'HS256' }, claims({ exp: Math.floor(f.now / 1000) - 1 }), SECRET)),
        'Token expired',
      );
    } finally {
      f.now = saved;
    }
  });
});
