// The session check's cache (auth/sessions.ts) on the gateway's injected clock: what another gateway writes in
// the database is honoured after SESSION_CHECK_MS and not later; within it, a request costs no query.
import { signToken } from '@sogoms/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_CHECK_MS } from '../src/auth/sessions.js';
import { type Fixture, SECRET, startFixture } from './helpers/fixture.js';

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

const sidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;
const sessionReads = () =>
  f.db.statements.filter((s) => s.query.includes('FROM sogoms_sessions s LEFT JOIN'));
const projects = (token: string) => f.request({ url: '/api/projects', token });

describe('session check', () => {
  it('a revocation written by another gateway is honoured once SESSION_CHECK_MS has passed, not before', async () => {
    const user = await f.register('elsewhere@example.com');
    expect((await projects(user.token)).status).toBe(200);
    // Another gateway's logout: only the database knows.
    f.sql('UPDATE sogoms_sessions SET revoked_at = ? WHERE id = ?', [f.now, sidOf(user.token)]);
    f.now += SESSION_CHECK_MS - 1;
    expect((await projects(user.token)).status).toBe(200);
    f.now += 1;
    const res = await projects(user.token);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'Session ended' });
  });

  it('costs one session query per session per SESSION_CHECK_MS, however many requests (concurrent ones share it)', async () => {
    const user = await f.register('cheap@example.com');
    f.now += SESSION_CHECK_MS;
    const before = sessionReads().length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => projects(user.token)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    for (let i = 0; i < 20; i++) expect((await projects(user.token)).status).toBe(200);
    expect(sessionReads().length - before).toBe(1);
    f.now += SESSION_CHECK_MS;
    expect((await projects(user.token)).status).toBe(200);
    expect(sessionReads().length - before).toBe(2);
  });

  it('refuses a correctly signed token without sid when the app has sessions (it could never be revoked)', async () => {
    const user = await f.register('nosid@example.com');
    const token = await signToken(
      { sub: user.id, email: 'nosid@example.com', name: 'User', app: 'prokov', role: 'user' },
      SECRET,
      60_000,
      f.now,
    );
    const res = await projects(token);
    expect(res.status).toBe(401);
    expect(res.body.error?.message).toBe('Invalid token');
  });

  it('an expired session (refresh_ttl passed without a refresh) ends the access token too', async () => {
    const user = await f.register('stale@example.com');
    f.sql('UPDATE sogoms_sessions SET expires_at = ? WHERE id = ?', [f.now + 1, sidOf(user.token)]);
    f.now += SESSION_CHECK_MS;
    expect((await projects(user.token)).status).toBe(401);
  });

  it('logout with a body other than {all: boolean} is refused with 400 and ends nothing', async () => {
    const user = await f.register('badlogout@example.com');
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/logout',
      token: user.token,
      body: { all: 'yes' },
    });
    expect(res.status).toBe(400);
    expect((await projects(user.token)).status).toBe(200);
  });
});
