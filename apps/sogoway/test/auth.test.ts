// /auth/register, /auth/login, /auth/logout, /auth/me.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, PASSWORD, startFixture } from './helpers/fixture.js';

let f: Fixture;
let alice: { id: number; token: string };
let bob: { id: number; token: string };

beforeAll(async () => {
  f = await startFixture();
  alice = await f.register('alice@example.com', 'Alice');
  bob = await f.register('bob@example.com', 'Bob');
  await f.request({ method: 'POST', url: '/api/projects', token: alice.token, body: { name: 'Alice P' } });
  await f.request({ method: 'POST', url: '/api/projects', token: bob.token, body: { name: 'Bob P' } });
  await f.request({ method: 'POST', url: '/api/tags', token: alice.token, body: { name: 'urgent' } });
});
afterAll(async () => {
  await f?.close();
});

const login = (email: string, password: string, ip?: string) =>
  f.request({ method: 'POST', url: '/api/auth/login', body: { email, password }, ...(ip ? { ip } : {}) });

describe('register', () => {
  it('answers 201 with a token and the user, stores a bcrypt hash, never returns it', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/register',
      body: { email: 'Carol@Example.com ', password: PASSWORD, name: ' Carol ' },
    });
    expect(res.status).toBe(201);
    const data = res.body.data as { token: string; user: Record<string, unknown> };
    expect(data.token.split('.')).toHaveLength(3);
    expect(data.user).toMatchObject({ email: 'carol@example.com', name: 'Carol', role: 'user' });
    expect(res.raw).not.toContain('password');
    const [row] = f.sql('SELECT password, role FROM users WHERE email = ?', ['carol@example.com']);
    expect(String(row!.password)).toMatch(/^\$2b\$04\$/);
    const me = await f.request({ url: '/api/auth/me', token: data.token });
    expect(me.body.data).toMatchObject({ email: 'carol@example.com', name: 'Carol' });
    await f.logs.waitFor('log_event', (p) => p.event === 'register' && p.user_id === data.user.id);
  });

  it('sends the welcome email', async () => {
    await f.register('welcome@example.com', 'Wendy');
    const mail = await f.smtp.waitFor('send_template', (p) => p.to === 'welcome@example.com');
    expect(mail.params).toMatchObject({ app_id: 'prokov', template: 'welcome', data: { Name: 'Wendy' } });
  });

  it('refuses a duplicate email, whatever its case → 409 CONFLICT', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/register',
      body: { email: 'ALICE@example.com', password: PASSWORD, name: 'Again' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'CONFLICT', message: 'Email already registered' });
  });

  it('checks the email format, the password length and the name', async () => {
    const cases = [
      { email: 'not-an-email', password: PASSWORD, name: 'X' },
      { email: 'a@b', password: PASSWORD, name: 'X' },
      { email: 'short@example.com', password: 'short', name: 'X' },
      { email: 'long@example.com', password: 'é'.repeat(40), name: 'X' },
      { email: 'noname@example.com', password: PASSWORD },
      { email: 'objname@example.com', password: PASSWORD, name: { first: 'x' } },
      { password: PASSWORD, name: 'X' },
      { email: 'x@example.com', password: 12345678, name: 'X' },
    ];
    for (const body of cases) {
      const res = await f.request({ method: 'POST', url: '/api/auth/register', body });
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
    expect(
      f.sql("SELECT COUNT(*) AS n FROM users WHERE email LIKE '%example.com' AND name = 'X'")[0]!.n,
    ).toBe(0);
  });

  it('takes only the listed fields: never a role or an id', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/register',
      body: { email: 'mallory@example.com', password: PASSWORD, name: 'Mallory', role: 'admin', id: 999 },
    });
    expect(res.status).toBe(201);
    const [row] = f.sql('SELECT id, role FROM users WHERE email = ?', ['mallory@example.com']);
    expect(row!.role).toBe('user');
    expect(row!.id).not.toBe(999);
  });
});

describe('login', () => {
  it('answers "Connexion réussie" with token, user and the role-filtered includes', async () => {
    const res = await login('alice@example.com', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Connexion réussie');
    const data = res.body.data as {
      projects: { name: string }[];
      tags: unknown[];
      user: Record<string, unknown>;
      token: string;
    };
    expect(Object.keys(data).sort()).toEqual([
      'expires_in',
      'projects',
      'refresh_token',
      'statuses',
      'tags',
      'tasks',
      'token',
      'user',
    ]);
    expect(data.user).toEqual({ id: alice.id, email: 'alice@example.com', name: 'Alice', role: 'user' });
    expect(data.projects.map((p) => p.name)).toEqual(['Alice P']);
    expect(data.tags).toHaveLength(1);
    expect(res.raw).not.toContain('$2b$');
    const event = await f.logs.waitFor('log_event', (p) => p.event === 'login' && p.user_id === alice.id);
    expect(event.params.ip).toMatch(/^10\.0\./);
  });

  it('gives an admin every row in the includes', async () => {
    f.sql("UPDATE users SET role = 'admin' WHERE id = ?", [bob.id]);
    try {
      const res = await login('bob@example.com', PASSWORD);
      const data = res.body.data as { projects: { name: string }[]; user: { role: string }; token: string };
      expect(data.user.role).toBe('admin');
      expect(data.projects.map((p) => p.name).sort()).toEqual(['Alice P', 'Bob P']);
      const claims = JSON.parse(Buffer.from(data.token.split('.')[1]!, 'base64url').toString());
      expect(claims).toMatchObject({ sub: bob.id, role: 'admin', app: 'prokov', email: 'bob@example.com' });
    } finally {
      f.sql("UPDATE users SET role = 'user' WHERE id = ?", [bob.id]);
    }
  });

  it('accepts the email in any case', async () => {
    expect((await login('  ALICE@Example.COM', PASSWORD)).status).toBe(200);
  });

  it('gives the same answer for a wrong password and an unknown email, and logs login_failed', async () => {
    const wrong = await login('alice@example.com', 'wrong-password');
    const unknown = await login('nobody@example.com', 'wrong-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    const event = await f.logs.waitFor(
      'log_event',
      (p) => p.event === 'login_failed' && p.user_id === alice.id,
    );
    expect(event.params.data).toEqual({ email: 'alice@example.com' });
  });

  it('refuses a body without email or password → 400', async () => {
    for (const body of [
      {},
      { email: 'alice@example.com' },
      { password: PASSWORD },
      { email: 1, password: 'x' },
    ]) {
      const res = await f.request({ method: 'POST', url: '/api/auth/login', body });
      expect(res.status).toBe(400);
    }
  });
});

describe('me and logout', () => {
  it('me answers the current user without the password', async () => {
    const res = await f.request({ url: '/api/auth/me', token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: alice.id, email: 'alice@example.com', name: 'Alice', role: 'user' });
  });

  it('me and logout need a token', async () => {
    const me = await f.request({ url: '/api/auth/me' });
    expect(me.status).toBe(401);
    expect(me.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'Missing token' });
    expect((await f.request({ method: 'POST', url: '/api/auth/logout' })).status).toBe(401);
  });

  it('logout answers 200 and logs the event with the user id and address', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/logout',
      token: bob.token,
      ip: '192.0.2.7',
    });
    expect(res.status).toBe(200);
    const event = await f.logs.waitFor('log_event', (p) => p.event === 'logout' && p.user_id === bob.id);
    expect(event.params).toMatchObject({ app_id: 'prokov', ip: '192.0.2.7' });
  });

  it('me of a deleted user → 401 "Session ended" (the session check finds no user)', async () => {
    const temp = await f.register('temp@example.com', 'Temp');
    f.sql('DELETE FROM users WHERE id = ?', [temp.id]);
    const res = await f.request({ url: '/api/auth/me', token: temp.token });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'Session ended' });
  });
});
