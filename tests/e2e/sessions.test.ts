// Issue "auth lifecycle", on the whole platform started by sogoctl with two gateways (sogoway and sogoway-2 on
// one database), on SQLite and on MariaDB: logout, refresh rotation and reuse detection, password reset and
// change, demotion and deletion end sessions within the stated bound (SESSION_CHECK_MS, 2 s) on every gateway.
// Then, on SQLite: the seed's stateless mode, and email verification read from the file transport.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@sogoms/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyToken, VERIFY_TOKEN_TTL_MS } from '../../apps/sogoway/src/auth/email-verification.js';
import { SESSION_CHECK_MS } from '../../apps/sogoway/src/auth/sessions.js';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { JWT_SECRET, type Platform, ROOT, startPlatform, waitFor } from '../helpers/platform.js';

const PASSWORD = 'correct-horse';
// The bound plus the time of one poll and of the HTTP round trips on a loaded 2-core machine.
const BOUND_MS = SESSION_CHECK_MS + 1_500;

interface Tokens {
  token: string;
  refresh_token: string;
  expires_in: number;
  user: { id: number };
}

const payload = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** The mails written by the file transport to `to`, decoded from quoted-printable. */
function mailsTo(p: Platform, to: string): string[] {
  const dir = join(p.dir, 'mail');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) =>
      readFileSync(join(dir, f), 'utf8')
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    )
    .filter((text) => new RegExp(`^To: ${to.replaceAll('.', '\\.')}`, 'm').test(text));
}

for (const driver of ['sqlite', 'mysql'] as const) {
  describe(`sessions on ${driver === 'mysql' ? 'MariaDB' : 'SQLite'}, two gateways on one database`, () => {
    let p: Platform;
    let enabled = true;
    let users = 0;

    const post = (path: string, body: unknown, gateway = 0) =>
      p.request('POST', `/api/auth/${path}`, { body, gateway });
    const projects = (token: string, gateway = 0) => p.request('GET', '/api/projects', { token, gateway });
    const sql = async (query: string, args: unknown[]) => {
      if (p.db) await p.db.rows(query, args);
      else {
        const Database = (await import('better-sqlite3')).default;
        const db = new Database(p.sqliteFile!);
        db.pragma('busy_timeout = 5000');
        db.prepare(query).run(...(args as never[]));
        db.close();
      }
    };
    const register = async (prefix: string): Promise<Tokens & { email: string }> => {
      const email = `${prefix}-${++users}@example.com`;
      const res = await post('register', { email, password: PASSWORD, name: 'User' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { ...(res.body.data as Tokens), email };
    };
    const login = async (email: string, password = PASSWORD): Promise<Tokens> => {
      const res = await post('login', { email, password });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data as Tokens;
    };
    /** Polls until the token is refused with 401 "Session ended"; resolves with the time it took. */
    const refusedWithin = async (token: string, gateway: number, since: number): Promise<number> => {
      await waitFor(
        async () => {
          const res = await projects(token, gateway);
          if (res.status === 200) return false;
          expect(res.status).toBe(401);
          expect(res.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'Session ended' });
          return true;
        },
        10_000,
        'the token to be refused',
      );
      return Date.now() - since;
    };

    beforeAll(async () => {
      if (driver === 'mysql' && !(await mariadbAvailable())) {
        enabled = false;
        return;
      }
      p = await startPlatform({ driver, gateways: 2 });
    }, 120_000);

    afterAll(async () => {
      if (p) expect(await p.stop()).toBe(0);
    });

    it('login answers a 15-minute-class access token with a sid and an opaque refresh token stored hashed', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('shape');
      const claims = payload(user.token);
      expect(typeof claims.sid).toBe('string');
      // The platform's helper sets access_ttl: 1h; expires_in says the same as the token.
      expect(user.expires_in).toBe(3600);
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
      expect(user.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const sessions = await p.rows('SELECT user_id, role, revoked_at FROM sogoms_sessions WHERE id = ?', [
        claims.sid,
      ]);
      expect(sessions).toEqual([{ user_id: user.user.id, role: 'user', revoked_at: null }]);
      const stored = await p.rows('SELECT hash FROM sogoms_refresh_tokens WHERE session_id = ?', [
        claims.sid,
      ]);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.hash).not.toBe(user.refresh_token);
    });

    it('logout: the access token gets 401 at once on its gateway and within the bound on the other, the refresh token is refused', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('logout');
      // Both gateways have checked (and cached) the session.
      expect((await projects(user.token, 0)).status).toBe(200);
      expect((await projects(user.token, 1)).status).toBe(200);
      expect((await p.request('POST', '/api/auth/logout', { token: user.token })).status).toBe(200);
      const since = Date.now();
      const here = await projects(user.token, 0);
      expect(here.status).toBe(401);
      expect(here.body.error?.message).toBe('Session ended');
      expect(await refusedWithin(user.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      const refreshed = await post('refresh', { refresh_token: user.refresh_token }, 1);
      expect(refreshed.status).toBe(401);
    });

    it('logout {all: true} through one gateway ends every session of the user on the other', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('logout-all');
      const second = await login(user.email);
      const other = await register('bystander');
      for (const token of [user.token, second.token, other.token])
        expect((await projects(token, 1)).status).toBe(200);
      const res = await p.request('POST', '/api/auth/logout', { token: second.token, body: { all: true } });
      expect(res.status).toBe(200);
      const since = Date.now();
      expect(await refusedWithin(user.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect(await refusedWithin(second.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect((await post('refresh', { refresh_token: user.refresh_token })).status).toBe(401);
      expect((await projects(other.token, 1)).status).toBe(200);
    });

    it('refresh rotates: a new pair, the old refresh token spent; the session lives on', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('rotate');
      const res = await post('refresh', { refresh_token: user.refresh_token }, 1);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const next = res.body.data as Tokens;
      expect(next.refresh_token).not.toBe(user.refresh_token);
      expect(payload(next.token).sid).toBe(payload(user.token).sid);
      expect((await projects(next.token)).status).toBe(200);
      const again = await post('refresh', { refresh_token: next.refresh_token });
      expect(again.status).toBe(200);
      const spent = await p.rows(
        'SELECT COUNT(*) AS n FROM sogoms_refresh_tokens WHERE session_id = ? AND spent_at IS NOT NULL',
        [payload(user.token).sid],
      );
      expect(Number(spent[0]!.n)).toBe(2);
      for (const bad of ['', 'x', 42, null]) {
        const refused = await post('refresh', { refresh_token: bad });
        expect(refused.status).toBe(401);
        expect(refused.body.error?.message).toBe('Invalid refresh token');
      }
    });

    it('reuse of a spent refresh token (theft) revokes the whole family and is logged as a security event', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('theft');
      const rotated = (await post('refresh', { refresh_token: user.refresh_token })).body.data as Tokens;
      expect((await projects(rotated.token, 1)).status).toBe(200);
      // The thief replays the first refresh token.
      const replay = await post('refresh', { refresh_token: user.refresh_token });
      expect(replay.status).toBe(401);
      const since = Date.now();
      expect((await projects(rotated.token, 0)).status).toBe(401);
      expect(await refusedWithin(rotated.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect((await post('refresh', { refresh_token: rotated.refresh_token })).status).toBe(401);
      const events = await waitFor(
        async () => {
          const file = readdirSync(p.logDir).find((f) => /^prokov-\d{8}-events\.log$/.test(f));
          if (!file) return undefined;
          const text = readFileSync(join(p.logDir, file), 'utf8');
          return text.includes('"refresh_reuse"') ? text : undefined;
        },
        10_000,
        'the refresh_reuse event',
      );
      const line = events.split('\n').find((l) => l.includes('"refresh_reuse"'))!;
      expect(JSON.parse(line)).toMatchObject({ event: 'refresh_reuse', user_id: user.user.id });
    });

    it('a password reset ends every session of the user', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('reset');
      const second = await login(user.email);
      expect((await projects(second.token, 1)).status).toBe(200);
      expect((await post('password/forgot', { email: user.email })).status).toBe(200);
      const mail = await waitFor(async () => mailsTo(p, user.email).find((m) => m.includes('reset?token=')));
      const token = /reset\?token=([0-9]+\.[0-9]+\.[A-Za-z0-9_-]{43})/.exec(mail)![1];
      const reset = await post('password/reset', { token, password: 'another-horse' });
      expect(reset.status, JSON.stringify(reset.body)).toBe(200);
      const since = Date.now();
      expect((await projects(user.token, 0)).status).toBe(401);
      expect(await refusedWithin(second.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect((await post('refresh', { refresh_token: user.refresh_token })).status).toBe(401);
      expect((await post('refresh', { refresh_token: second.refresh_token })).status).toBe(401);
      expect((await login(user.email, 'another-horse')).token).toBeTruthy();
    });

    it('change password: the current one is required; all sessions end, the caller gets a new one', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('change');
      const other = await login(user.email);
      const wrong = await p.request('POST', '/api/auth/password/change', {
        token: user.token,
        body: { current_password: 'not-it', password: 'brand-new-horse' },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error?.code).toBe('INVALID_CREDENTIALS');
      const res = await p.request('POST', '/api/auth/password/change', {
        token: user.token,
        body: { current_password: PASSWORD, password: 'brand-new-horse' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const fresh = res.body.data as Tokens;
      const since = Date.now();
      expect((await projects(user.token)).status).toBe(401);
      expect(await refusedWithin(other.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect((await projects(fresh.token, 1)).status).toBe(200);
      expect((await post('login', { email: user.email, password: PASSWORD })).status).toBe(401);
      expect((await login(user.email, 'brand-new-horse')).token).toBeTruthy();
    });

    it('a demoted admin loses the admin rows within the bound, and cannot refresh into the old role', async (ctx) => {
      if (!enabled) ctx.skip();
      const owner = await register('owner');
      const created = await p.request('POST', '/api/projects', {
        token: owner.token,
        body: { name: 'Owned' },
      });
      const projectId = (created.body.data as { insert_id: number }).insert_id;
      const admin = await register('admin');
      await sql('UPDATE users SET role = ? WHERE id = ?', ['admin', admin.user.id]);
      const session = await login(admin.email);
      expect(payload(session.token).role).toBe('admin');
      expect(
        (await p.request('GET', `/api/projects/${projectId}`, { token: session.token, gateway: 1 })).status,
      ).toBe(200);
      await sql('UPDATE users SET role = ? WHERE id = ?', ['user', admin.user.id]);
      const since = Date.now();
      expect(await refusedWithin(session.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect((await post('refresh', { refresh_token: session.refresh_token })).status).toBe(401);
      // Logging in again gives the current role, which sees only its own rows.
      const again = await login(admin.email);
      expect(payload(again.token).role).toBe('user');
      expect((await p.request('GET', `/api/projects/${projectId}`, { token: again.token })).status).toBe(404);
    });

    it('a deleted user’s token is refused within the bound, and so is its refresh token', async (ctx) => {
      if (!enabled) ctx.skip();
      const user = await register('deleted');
      expect((await projects(user.token, 1)).status).toBe(200);
      await sql('DELETE FROM users WHERE id = ?', [user.user.id]);
      const since = Date.now();
      expect(await refusedWithin(user.token, 1, since)).toBeLessThanOrEqual(BOUND_MS);
      expect((await projects(user.token, 0)).status).toBe(401);
      expect((await post('refresh', { refresh_token: user.refresh_token })).status).toBe(401);
    });
  });
}

describe('seed compatibility: auth.sessions: false keeps one stateless 24 h token (SQLite)', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform({ driver: 'sqlite', authLifetime: '  sessions: false\n  jwt_expiry: 24h' });
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
  });

  it('login answers only a 24 h token without sid; refresh is 404; no session row is written', async () => {
    const reg = await p.request('POST', '/api/auth/register', {
      body: { email: 'seed@example.com', password: PASSWORD, name: 'Seed' },
    });
    expect(reg.status).toBe(201);
    const data = reg.body.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['token', 'user']);
    const claims = payload(String(data.token));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(86_400);
    expect(claims.sid).toBeUndefined();
    const refresh = await p.request('POST', '/api/auth/refresh', { body: { refresh_token: 'x'.repeat(43) } });
    expect(refresh.status).toBe(404);
    expect((await p.request('GET', '/api/projects', { token: String(data.token) })).status).toBe(200);
    expect(await p.rows('SELECT COUNT(*) AS n FROM sogoms_sessions')).toEqual([{ n: 0 }]);
  });
});

describe('email verification with require_verified_email (SQLite, mail read from the file transport)', () => {
  let p: Platform;

  beforeAll(async () => {
    const auth = readFileSync(join(ROOT, 'config', 'queries', 'prokov', 'auth.yaml'), 'utf8');
    p = await startPlatform({
      driver: 'sqlite',
      copyQueries: true,
      authLifetime: '  access_ttl: 1h\n  require_verified_email: true',
      beforeStart: (dir) => ({
        file: join(dir, 'config', 'queries', 'prokov', 'auth.yaml'),
        content: `${auth}email_verification:\n  template: verify_email\n  url: "https://prokov.test/verify?token={{.Token}}"\n`,
      }),
    });
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
  });

  const post = (path: string, body: unknown) => p.request('POST', `/api/auth/${path}`, { body });
  const verifyToken = (mail: string) => /verify\?token=([0-9]+\.[0-9]+\.[A-Za-z0-9_-]{43})/.exec(mail)![1]!;

  it('register mails a link and gives no session; login is refused (403) until the link is used, once', async () => {
    const email = 'verify-me@example.com';
    const reg = await post('register', { email, password: PASSWORD, name: 'Vera' });
    expect(reg.status).toBe(201);
    expect(reg.body.data).toMatchObject({ email_verification_required: true });
    expect((reg.body.data as Record<string, unknown>).token).toBeUndefined();
    const refused = await post('login', { email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'FORBIDDEN', message: 'Email address not verified' });
    // A wrong password still answers 401: the 403 tells nothing to whoever lacks the password.
    expect((await post('login', { email, password: 'wrong-horse' })).status).toBe(401);
    const mail = await waitFor(async () => mailsTo(p, email).find((m) => m.includes('verify?token=')));
    expect(mail).toContain('Subject: Confirmez votre adresse email Prokov');
    const token = verifyToken(mail);
    const bad = await post('email/verify', { token: `${token.slice(0, -2)}AA` });
    expect(bad.status).toBe(400);
    const ok = await post('email/verify', { token });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.message).toBe('Email vérifié');
    const spent = await post('email/verify', { token });
    expect(spent.status).toBe(400);
    expect(spent.body.error?.message).toBe('Invalid or expired verification token');
    const login = await post('login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect((login.body.data as Tokens).refresh_token).toBeTruthy();
  });

  it('resend: always the same 200; at most 3 mails per address per hour; none for a verified or unknown address', async () => {
    const email = 'resend-me@example.com';
    expect((await post('register', { email, password: PASSWORD, name: 'Res' })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      const res = await post('email/resend', { email });
      expect(res.status).toBe(200);
    }
    const unknown = await post('email/resend', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(200);
    expect(unknown.body.message).toBe((await post('email/resend', { email })).body.message);
    // 1 at registration (beside the welcome mail) + 3 resends; the 4th and later are refused silently.
    const links = () => mailsTo(p, email).filter((m) => m.includes('verify?token='));
    await waitFor(async () => links().length === 4);
    await new Promise((r) => setTimeout(r, 500));
    expect(links()).toHaveLength(4);
    expect(mailsTo(p, 'nobody@example.com')).toHaveLength(0);
    // Any link works until one is used: then the address is verified and every link is spent.
    expect((await post('email/verify', { token: verifyToken(links().at(-1)!) })).status).toBe(200);
    expect((await post('email/verify', { token: verifyToken(links()[0]!) })).status).toBe(400);
    // A verified address gets the same answer and no mail (its hourly limit is not what stops it: a fresh
    // address, verified after its first mail).
    const done = 'verified-already@example.com';
    expect((await post('register', { email: done, password: PASSWORD, name: 'Done' })).status).toBe(201);
    const first = await waitFor(async () => mailsTo(p, done).find((m) => m.includes('verify?token=')));
    expect((await post('email/verify', { token: verifyToken(first) })).status).toBe(200);
    const again = await post('email/resend', { email: done });
    expect(again.status).toBe(200);
    expect(again.body.message).toBe(unknown.body.message);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo(p, done).filter((m) => m.includes('verify?token='))).toHaveLength(1);
  });

  it('a link is valid for 24 h: one signed with the app key but past its expiry is refused', async () => {
    const email = 'late@example.com';
    expect((await post('register', { email, password: PASSWORD, name: 'Late' })).status).toBe(201);
    const [user] = await p.rows('SELECT id FROM users WHERE email = ?', [email]);
    const app = { app: 'prokov', auth: { jwtSecret: JWT_SECRET } } as AppConfig;
    const issuedAt = (ageMs: number) => Date.now() - ageMs;
    const expired = createVerifyToken(app, Number(user!.id), email, issuedAt(VERIFY_TOKEN_TTL_MS + 60_000));
    const refused = await post('email/verify', { token: expired });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toBe('Invalid or expired verification token');
    expect((await post('login', { email, password: PASSWORD })).status).toBe(403);
    // The same forge one hour old is accepted: the refusal above was the expiry, not the signature.
    const fresh = createVerifyToken(app, Number(user!.id), email, issuedAt(3_600_000));
    expect((await post('email/verify', { token: fresh })).status).toBe(200);
    expect((await post('login', { email, password: PASSWORD })).status).toBe(200);
  });
});
