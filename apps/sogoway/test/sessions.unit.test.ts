// What ends a session (auth/sessions.ts), on a fake gateway core whose sogoms-db is a few Maps that answer only
// the exact statements sessions.ts sends (any other text fails the call, so the SQL is pinned too), on an
// injected clock: the per-request check and its SESSION_CHECK_MS cache (shared reads, eviction, failed reads not
// remembered, forgetting after a local revocation), opening a session and pruning old ones, revocation, and the
// rotation of refresh tokens with reuse detection that revokes the whole session. Unit tests only, for
// `pnpm test:mutation sessions`; the in-process gateway tests (sessions.test.ts) cover the HTTP side.
import { createHash } from 'node:crypto';
import { type TokenClaims, verifyToken } from '@sogoms/auth';
import type { AppConfig, AuthQueries, AuthSettings } from '@sogoms/config';
import { ErrorCode, isSogomsError, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkSession,
  MAX_CACHED_SESSIONS,
  openSession,
  requireSessions,
  revokeSession,
  revokeUserSessions,
  rotateRefresh,
  SESSION_CHECK_MS,
} from '../src/auth/sessions.js';
import type { GatewayCore, RequestContext } from '../src/core.js';

type Row = Record<string, unknown>;

// ---- the statements, as sogoms-db must receive them ---------------------------------------------------------

const CHECK =
  'SELECT s.user_id AS sogoms_user_id, s.expires_at AS sogoms_expires_at, s.revoked_at AS sogoms_revoked_at, ' +
  'u.* FROM sogoms_sessions s LEFT JOIN `members` u ON u.id = s.user_id WHERE s.id = ?';
const REFRESH_READ =
  'SELECT t.session_id AS sogoms_session_id, t.spent_at AS sogoms_spent_at, s.user_id AS sogoms_user_id, ' +
  's.role AS sogoms_role, s.expires_at AS sogoms_expires_at, s.revoked_at AS sogoms_revoked_at, u.* ' +
  'FROM sogoms_refresh_tokens t JOIN sogoms_sessions s ON s.id = t.session_id LEFT JOIN `members` u ' +
  'ON u.id = s.user_id WHERE t.hash = ?';
const INSERT_SESSION =
  'INSERT INTO sogoms_sessions (id, user_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)';
const INSERT_TOKEN = 'INSERT INTO sogoms_refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)';
const PRUNE_READ = 'SELECT id FROM sogoms_sessions WHERE user_id = ? AND expires_at <= ? LIMIT ?';
const PRUNE_TOKENS = /^DELETE FROM sogoms_refresh_tokens WHERE session_id IN \((\?(?:, \?)*)\)$/;
const PRUNE_SESSIONS = /^DELETE FROM sogoms_sessions WHERE id IN \((\?(?:, \?)*)\)$/;
const REVOKE_ONE = 'UPDATE sogoms_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';
const REVOKE_USER = 'UPDATE sogoms_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL';
const SPEND = 'UPDATE sogoms_refresh_tokens SET spent_at = ? WHERE hash = ? AND spent_at IS NULL';
const EXTEND = 'UPDATE sogoms_sessions SET expires_at = ? WHERE id = ? AND revoked_at IS NULL';

// ---- a fake sogoms-db ----------------------------------------------------------------------------------------

interface SessionRow {
  id: string;
  user_id: number;
  role: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}
interface TokenRow {
  hash: string;
  session_id: string;
  created_at: number;
  spent_at: number | null;
}
interface Call {
  app: string;
  requestId: string;
  action: string;
  query: string;
  args: unknown[];
}

// What a LEFT JOIN yields for a user row that is gone.
const NO_USER: Row = { id: null, email: null, name: null, role: null, password: null };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

class FakeDb {
  readonly users = new Map<number, Row>();
  readonly sessions = new Map<string, SessionRow>();
  readonly tokens = new Map<string, TokenRow>();
  readonly calls: Call[] = [];
  /**
   * Sees each call first: throwing fails it, a promise delays it, and an answer other than undefined replaces
   * the fake's own.
   */
  intercept: ((action: string, params: Row) => unknown) | undefined;

  async call(ctx: RequestContext, action: string, params: Row): Promise<unknown> {
    const list =
      action === 'transaction'
        ? (params.statements as { query: string; args: unknown[] }[])
        : [{ query: params.query as string, args: params.args as unknown[] }];
    for (const s of list)
      this.calls.push({ app: ctx.app.app, requestId: ctx.requestId, action, query: s.query, args: s.args });
    const replaced = await this.intercept?.(action, params);
    if (replaced !== undefined) return replaced;
    if (action === 'transaction') return list.map((s) => this.write(s.query, s.args));
    if (action === 'update') return this.write(list[0]!.query, list[0]!.args);
    return this.read(action, list[0]!.query, list[0]!.args);
  }

  private joined(userId: number): Row {
    return this.users.get(userId) ?? NO_USER;
  }

  private read(action: string, query: string, args: unknown[]): unknown {
    if (action === 'query_one' && query === CHECK) {
      const s = this.sessions.get(args[0] as string);
      if (!s) return null;
      return {
        sogoms_user_id: s.user_id,
        sogoms_expires_at: s.expires_at,
        sogoms_revoked_at: s.revoked_at,
        ...this.joined(s.user_id),
      };
    }
    if (action === 'query_one' && query === REFRESH_READ) {
      const t = this.tokens.get(args[0] as string);
      const s = t && this.sessions.get(t.session_id);
      if (!t || !s) return null;
      return {
        sogoms_session_id: t.session_id,
        sogoms_spent_at: t.spent_at,
        sogoms_user_id: s.user_id,
        sogoms_role: s.role,
        sogoms_expires_at: s.expires_at,
        sogoms_revoked_at: s.revoked_at,
        ...this.joined(s.user_id),
      };
    }
    if (action === 'query' && query === PRUNE_READ) {
      const [userId, now, limit] = args as [number, number, number];
      return [...this.sessions.values()]
        .filter((s) => s.user_id === userId && s.expires_at <= now)
        .slice(0, limit)
        .map((s) => ({ id: s.id }));
    }
    throw new Error(`unexpected ${action}: ${query}`);
  }

  private write(query: string, args: unknown[]): { affected_rows: number; insert_id: number } {
    const done = (n: number) => ({ affected_rows: n, insert_id: 0 });
    const [a, b, c, d, e] = args;
    if (query === INSERT_SESSION) {
      const row = { id: a as string, user_id: b as number, role: c as string, created_at: d as number };
      this.sessions.set(row.id, { ...row, expires_at: e as number, revoked_at: null });
      return done(1);
    }
    if (query === INSERT_TOKEN) {
      this.tokens.set(a as string, {
        hash: a as string,
        session_id: b as string,
        created_at: c as number,
        spent_at: null,
      });
      return done(1);
    }
    const matching = (pick: (s: SessionRow) => boolean) => [...this.sessions.values()].filter(pick);
    if (query === REVOKE_ONE || query === REVOKE_USER) {
      const hits = matching(
        (s) => (query === REVOKE_ONE ? s.id === b : s.user_id === b) && s.revoked_at === null,
      );
      for (const s of hits) s.revoked_at = a as number;
      return done(hits.length);
    }
    if (query === EXTEND) {
      const hits = matching((s) => s.id === b && s.revoked_at === null);
      for (const s of hits) s.expires_at = a as number;
      return done(hits.length);
    }
    if (query === SPEND) {
      const t = this.tokens.get(b as string);
      if (!t || t.spent_at !== null) return done(0);
      t.spent_at = a as number;
      return done(1);
    }
    const tokens = PRUNE_TOKENS.exec(query);
    const sessions = PRUNE_SESSIONS.exec(query);
    const marks = (tokens ?? sessions)?.[1]?.split(', ').length;
    if (marks !== undefined && marks === args.length) {
      let n = 0;
      for (const id of args as string[]) {
        if (sessions) n += this.sessions.delete(id) ? 1 : 0;
        else
          for (const t of [...this.tokens.values()])
            if (t.session_id === id) n += this.tokens.delete(t.hash) ? 1 : 0;
      }
      return done(n);
    }
    throw new Error(`unexpected write: ${query}`);
  }

  /** A session row and its refresh token, as a login would have left them. */
  seed(user: Row, session: Partial<SessionRow> & { id: string }, refresh?: string): void {
    this.users.set(user.id as number, user);
    this.sessions.set(session.id, {
      user_id: user.id as number,
      role: typeof user.role === 'string' ? user.role : 'user',
      created_at: T0,
      expires_at: T0 + DAY,
      revoked_at: null,
      ...session,
    });
    if (refresh !== undefined)
      this.tokens.set(sha256(refresh), {
        hash: sha256(refresh),
        session_id: session.id,
        created_at: T0,
        spent_at: null,
      });
  }

  reads(query = CHECK): number {
    return this.calls.filter((c) => c.query === query).length;
  }
}

// ---- a fake gateway core -------------------------------------------------------------------------------------

const SECRET = 'unit-test-secret-0123456789abcdef';
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const DAY = 86_400_000;
const QUERIES: AuthQueries = {
  login: { query: 'SELECT * FROM members WHERE email = :email', include: [] },
  register: { table: 'members', fields: ['email', 'password', 'name'] },
  me: { query: 'SELECT * FROM members WHERE id = :user_id' },
};
const AUTH = {
  jwtSecret: SECRET,
  jwtExpiryMs: 90_500, // expires_in rounds up: 91
  sessions: true,
  refreshTtlMs: 7 * DAY,
} as AuthSettings;

function appConfig(app: string, auth: Partial<AuthSettings> = {}, queries: AuthQueries | null = QUERIES) {
  return {
    app,
    auth: { ...AUTH, ...auth },
    // A copy per app: sessions.ts builds its statements once per queries object, and each test must see
    // them built (per-test coverage would otherwise credit only the first test).
    ...(queries ? { authQueries: { ...queries } } : {}),
  } as unknown as AppConfig;
}

interface Harness {
  core: GatewayCore;
  db: FakeDb;
  clock: { now: number };
  events: { app: string; event: string; userId: number | undefined; data: Row | undefined }[];
  warnings: { obj: Row; msg: string | undefined }[];
  ctx: (app?: AppConfig) => RequestContext;
}

function harness(): Harness {
  const app = appConfig('prokov');
  const db = new FakeDb();
  const clock = { now: T0 };
  const events: Harness['events'] = [];
  const warnings: Harness['warnings'] = [];
  const core = {
    now: () => clock.now,
    logger: {
      info: () => undefined,
      warn: (obj: Row, msg?: string) => warnings.push({ obj, msg }),
      error: () => undefined,
    },
    db: (ctx: RequestContext, action: string, params: Row) => db.call(ctx, action, params),
    event: (ctx: RequestContext, event: string, userId?: number, data?: Row) =>
      events.push({ app: ctx.app.app, event, userId, data }),
  } as unknown as GatewayCore;
  let n = 0;
  return {
    core,
    db,
    clock,
    events,
    warnings,
    ctx: (config = app) => ({ app: config, requestId: `req-${++n}`, ip: '10.0.0.1' }),
  };
}

const ALICE: Row = { id: 7, email: 'alice@example.com', name: 'Alice', role: 'user', password: 'x' };
const BOB: Row = { id: 8, email: 'bob@example.com', name: 'Bob', role: 'user', password: 'x' };
// Session ids are 22 base64url characters; this one uses every kind of them.
const SID = 'AZaz09_-AZaz09_-AZaz09';
const SID2 = 'bbbbbbbbbbbbbbbbbbbbbb';
const REFRESH = 'R'.repeat(40) + '_-9';

function claims(over: Partial<TokenClaims> = {}): TokenClaims {
  return {
    sub: 7,
    email: 'alice@example.com',
    name: 'Alice',
    app: 'prokov',
    role: 'user',
    sid: SID,
    iat: T0 / 1000,
    exp: T0 / 1000 + 90,
    jti: 'j',
    ...over,
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isSogomsError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

const ENDED = { code: 'UNAUTHORIZED', message: 'Session ended' };
const INVALID_TOKEN = { code: 'UNAUTHORIZED', message: 'Invalid token' };
const INVALID_REFRESH = { code: 'UNAUTHORIZED', message: 'Invalid refresh token' };
const HINT =
  'session statement failed: are the sogoms_sessions tables there? (clients/migrations/001_sessions.*.sql)';
// Lets the un-awaited prune after a login run to its end.
const settle = () => new Promise((resolve) => setImmediate(resolve));

// ---- checkSession ----------------------------------------------------------------------------------------

describe('checkSession: what the session row decides', () => {
  const cases: {
    name: string;
    setup?: (h: Harness) => void;
    row?: Row;
    claims?: Partial<TokenClaims>;
    ok: boolean;
  }[] = [
    { name: 'a live session of the token’s user and role passes', ok: true },
    {
      name: 'a revoked session ends',
      setup: (h) => {
        h.db.sessions.get(SID)!.revoked_at = T0 - 1;
      },
      ok: false,
    },
    {
      name: 'a session expiring this very millisecond has ended',
      setup: (h) => {
        h.db.sessions.get(SID)!.expires_at = T0;
      },
      ok: false,
    },
    {
      name: 'a session expiring one millisecond later is live',
      setup: (h) => {
        h.db.sessions.get(SID)!.expires_at = T0 + 1;
      },
      ok: true,
    },
    { name: 'an unknown session ends', setup: (h) => h.db.sessions.clear(), ok: false },
    { name: 'a session whose user row is gone (NULL id) ends', setup: (h) => h.db.users.clear(), ok: false },
    {
      name: 'a user row without id (driver leaving NULL columns out) ends',
      row: { sogoms_user_id: 7, sogoms_expires_at: T0 + DAY, sogoms_revoked_at: null, role: 'user' },
      ok: false,
    },
    { name: 'a token of another user ends', claims: { sub: 8 }, ok: false },
    {
      name: 'a user now holding another role ends',
      setup: (h) => {
        h.db.users.get(7)!.role = 'admin';
      },
      ok: false,
    },
    {
      name: 'an empty role column is the default role "user"',
      setup: (h) => {
        h.db.users.get(7)!.role = '';
      },
      ok: true,
    },
    {
      name: 'BIGINT columns read as strings are numbers',
      row: { sogoms_user_id: '7', sogoms_expires_at: String(T0 + DAY), sogoms_revoked_at: null, id: 7 },
      ok: true,
    },
    {
      name: 'a negative expiry read as a string has ended',
      row: { sogoms_user_id: 7, sogoms_expires_at: '-1', sogoms_revoked_at: null, id: 7 },
      ok: false,
    },
    {
      name: 'an expiry that is not an integer has ended',
      row: { sogoms_user_id: 7, sogoms_expires_at: `${T0 + DAY}.5`, sogoms_revoked_at: null, id: 7 },
      ok: false,
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const h = harness();
      h.db.seed({ ...ALICE }, { id: SID });
      c.setup?.(h);
      if (c.row) h.db.intercept = () => c.row;
      const result = checkSession(h.core, h.ctx(), claims(c.claims));
      if (c.ok) await expect(result).resolves.toBeUndefined();
      else expect(await refusal(result)).toEqual(ENDED);
      expect(h.db.calls).toEqual([
        { app: 'prokov', requestId: 'req-1', action: 'query_one', query: CHECK, args: [SID] },
      ]);
    });

  it('a dead verdict ends the session by itself, even for claims of user 0 with an empty role', async () => {
    for (const row of [
      null,
      { sogoms_user_id: 0, sogoms_expires_at: T0 + DAY, sogoms_revoked_at: T0, id: 7, role: '' },
    ]) {
      const h = harness();
      h.db.intercept = () => row;
      expect(await refusal(checkSession(h.core, h.ctx(), claims({ sub: 0, role: '' })))).toEqual(ENDED);
    }
    const h = harness();
    const noQueries = appConfig('prokov', {}, null);
    expect(await refusal(checkSession(h.core, h.ctx(noQueries), claims({ sub: 0, role: '' })))).toEqual(
      ENDED,
    );
    expect(h.db.calls).toEqual([]);
  });

  it('an app without auth queries has no sessions to find: ended without a query', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    expect(await refusal(checkSession(h.core, h.ctx(appConfig('prokov', {}, null)), claims()))).toEqual(
      ENDED,
    );
    expect(h.db.calls).toEqual([]);
  });

  it('an app without sessions checks nothing, not even the sid', async () => {
    const h = harness();
    const stateless = appConfig('prokov', { sessions: false });
    await expect(checkSession(h.core, h.ctx(stateless), claims({ sid: undefined }))).resolves.toBeUndefined();
    await expect(checkSession(h.core, h.ctx(stateless), claims({ sid: 'bad' }))).resolves.toBeUndefined();
    expect(h.db.calls).toEqual([]);
  });
});

describe('checkSession: a token without a well-formed sid is refused before any query', () => {
  const cases: [string, string | undefined][] = [
    ['no sid (a stateless token)', undefined],
    ['empty', ''],
    ['21 characters', 'a'.repeat(21)],
    ['23 characters', 'a'.repeat(23)],
    ['a character outside base64url (.)', `${'a'.repeat(21)}.`],
    ['a padding character (=)', `=${'a'.repeat(21)}`],
    ['22 good characters followed by junk', `${'a'.repeat(22)}!`],
    ['22 good characters after junk', `!${'a'.repeat(22)}`],
    ['a space inside', `${'a'.repeat(11)} ${'a'.repeat(10)}`],
  ];
  for (const [name, sid] of cases)
    it(name, async () => {
      const h = harness();
      expect(await refusal(checkSession(h.core, h.ctx(), claims({ sid })))).toEqual(INVALID_TOKEN);
      expect(h.db.calls).toEqual([]);
    });
});

describe('checkSession: the SESSION_CHECK_MS cache', () => {
  it('trusts a verdict for SESSION_CHECK_MS - 1 ms, then reads again and sees the revocation', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    await checkSession(h.core, h.ctx(), claims());
    h.db.sessions.get(SID)!.revoked_at = T0; // another gateway's logout
    h.clock.now += SESSION_CHECK_MS - 1;
    await checkSession(h.core, h.ctx(), claims());
    expect(h.db.reads()).toBe(1);
    h.clock.now += 1;
    expect(await refusal(checkSession(h.core, h.ctx(), claims()))).toEqual(ENDED);
    expect(h.db.reads()).toBe(2);
  });

  it('two checks in the same millisecond cost one read', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    await checkSession(h.core, h.ctx(), claims());
    await checkSession(h.core, h.ctx(), claims());
    expect(h.db.reads()).toBe(1);
  });

  it('concurrent checks of one session share one read', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    await Promise.all(Array.from({ length: 5 }, () => checkSession(h.core, h.ctx(), claims())));
    expect(h.db.reads()).toBe(1);
  });

  it('a clock that went back reads again (a verdict from the future is not trusted)', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    await checkSession(h.core, h.ctx(), claims());
    h.clock.now -= 1;
    await checkSession(h.core, h.ctx(), claims());
    expect(h.db.reads()).toBe(2);
  });

  it('verdicts are kept per app and per session', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    h.db.seed({ ...BOB }, { id: SID2 });
    const other = appConfig('other');
    await checkSession(h.core, h.ctx(), claims());
    // Bob's session must not borrow Alice's verdict, nor the other app the prokov one.
    await checkSession(h.core, h.ctx(), claims({ sub: 8, sid: SID2 }));
    expect(await refusal(checkSession(h.core, h.ctx(), claims({ sid: SID2 })))).toEqual(ENDED);
    await checkSession(h.core, h.ctx(other), claims({ app: 'other' }));
    expect(h.db.calls.map((c) => [c.app, c.args[0]])).toEqual([
      ['prokov', SID],
      ['prokov', SID2],
      ['other', SID],
    ]);
  });

  it('each gateway core keeps its own verdicts', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    const second = harness();
    second.db.seed({ ...ALICE }, { id: SID, revoked_at: T0 });
    await checkSession(h.core, h.ctx(), claims());
    expect(await refusal(checkSession(second.core, second.ctx(), claims()))).toEqual(ENDED);
  });

  it('a failed read is not remembered: the error goes to the caller and the next check reads again', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    const down = new SogomsError(ErrorCode.DB_ERROR, 'no such table: sogoms_sessions');
    h.db.intercept = () => {
      throw down;
    };
    await expect(checkSession(h.core, h.ctx(), claims())).rejects.toBe(down);
    expect(h.warnings).toEqual([{ obj: { app: 'prokov', requestId: 'req-1' }, msg: HINT }]);
    h.db.intercept = undefined;
    await expect(checkSession(h.core, h.ctx(), claims())).resolves.toBeUndefined();
    expect(h.db.reads()).toBe(2);
  });

  it('a failure other than DB_ERROR (a timeout) is passed on without the tables hint', async () => {
    const h = harness();
    const timeout = new SogomsError(ErrorCode.TIMEOUT, 'no answer');
    h.db.intercept = () => {
      throw timeout;
    };
    await expect(checkSession(h.core, h.ctx(), claims())).rejects.toBe(timeout);
    expect(h.warnings).toEqual([]);
  });

  it('a slow read that fails after a newer one replaced it does not evict the newer verdict', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    let fail: (err: Error) => void = () => undefined;
    h.db.intercept = () =>
      new Promise((_, reject) => {
        fail = reject;
      });
    const slow = checkSession(h.core, h.ctx(), claims());
    h.db.intercept = undefined;
    h.clock.now += SESSION_CHECK_MS;
    await checkSession(h.core, h.ctx(), claims());
    fail(new SogomsError(ErrorCode.TIMEOUT, 'late'));
    await expect(slow).rejects.toThrow('late');
    await checkSession(h.core, h.ctx(), claims());
    expect(h.db.reads()).toBe(2);
  });

  it(`keeps at most MAX_CACHED_SESSIONS verdicts, the oldest going first (a re-read counts as new)`, async () => {
    const h = harness();
    const live = {
      sogoms_user_id: 7,
      sogoms_expires_at: T0 + DAY,
      sogoms_revoked_at: null,
      id: 7,
      role: 'user',
    };
    h.db.intercept = () => live;
    const sid = (i: number) => `s${String(i).padStart(21, '0')}`;
    const check = (i: number) => checkSession(h.core, h.ctx(), claims({ sid: sid(i) }));
    await check(0);
    h.clock.now += SESSION_CHECK_MS;
    for (let i = 1; i < MAX_CACHED_SESSIONS - 1; i++) await check(i);
    // Session 0's verdict is stale: re-read, it becomes the newest (the cache is not full yet).
    await check(0);
    await check(MAX_CACHED_SESSIONS - 1); // now it is
    const before = h.db.calls.length;
    expect(before).toBe(MAX_CACHED_SESSIONS + 1);
    await check(MAX_CACHED_SESSIONS); // evicts the oldest: session 1
    await check(0);
    await check(2);
    expect(h.db.calls.length).toBe(before + 1);
    await check(1);
    expect(h.db.calls.length).toBe(before + 2);
  });
});

// ---- opening sessions ------------------------------------------------------------------------------------

describe('openSession', () => {
  it('stores the session and its refresh token (hashed), and signs an access token bound to it', async () => {
    const h = harness();
    const issued = await openSession(h.core, h.ctx(), {
      sub: 7,
      email: 'alice@example.com',
      name: 'Alice',
      app: 'prokov',
      role: 'editor',
    });
    expect(issued.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.expires_in).toBe(91);
    const verified = await verifyToken(issued.token, SECRET, 'prokov', T0);
    const sid = verified.sid!;
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(verified).toMatchObject({ sub: 7, email: 'alice@example.com', name: 'Alice', role: 'editor' });
    expect(verified.exp - verified.iat).toBe(91);
    expect(verified.iat).toBe(T0 / 1000);
    expect([...h.db.sessions.values()]).toEqual([
      { id: sid, user_id: 7, role: 'editor', created_at: T0, expires_at: T0 + 7 * DAY, revoked_at: null },
    ]);
    expect([...h.db.tokens.values()]).toEqual([
      { hash: sha256(issued.refresh_token), session_id: sid, created_at: T0, spent_at: null },
    ]);
    expect(h.db.calls[0]).toMatchObject({ app: 'prokov', requestId: 'req-1', action: 'transaction' });
  });

  it('two logins get distinct sessions and refresh tokens', async () => {
    const h = harness();
    const user = { sub: 7, email: 'a@x.test', name: 'A', app: 'prokov', role: 'user' };
    const a = await openSession(h.core, h.ctx(), user);
    const b = await openSession(h.core, h.ctx(), user);
    expect(a.refresh_token).not.toBe(b.refresh_token);
    expect(h.db.sessions.size).toBe(2);
  });

  it('a failing insert is passed on with the tables hint in the log', async () => {
    const h = harness();
    const missing = new SogomsError(ErrorCode.DB_ERROR, 'no such table');
    h.db.intercept = () => {
      throw missing;
    };
    const user = { sub: 7, email: 'a@x.test', name: 'A', app: 'prokov', role: 'user' };
    await expect(openSession(h.core, h.ctx(), user)).rejects.toBe(missing);
    expect(h.warnings).toEqual([{ obj: { app: 'prokov', requestId: 'req-1' }, msg: HINT }]);
  });

  it('deletes the user’s sessions that expired (at or before now) with their tokens, nobody else’s', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: 'old-a', expires_at: T0 - 1 }, 'token-of-old-a');
    h.db.seed({ ...ALICE }, { id: 'old-b', expires_at: T0 }, 'token-of-old-b');
    h.db.seed({ ...ALICE }, { id: 'live', expires_at: T0 + 1 }, 'token-of-live');
    h.db.seed({ ...BOB }, { id: 'bob-old', expires_at: T0 - 1 }, 'token-of-bob');
    await openSession(h.core, h.ctx(), { sub: 7, email: 'a@x.test', name: 'A', app: 'prokov', role: 'user' });
    await settle();
    const left = (ids: string[]) => ids.filter((id) => id.length < 22).sort();
    expect(left([...h.db.sessions.keys()])).toEqual(['bob-old', 'live']);
    expect(left([...h.db.tokens.values()].map((t) => t.session_id))).toEqual(['bob-old', 'live']);
    expect(h.db.sessions.size).toBe(3);
    expect(h.db.tokens.size).toBe(3);
    expect(h.db.calls.find((c) => c.query === PRUNE_READ)?.args).toEqual([7, T0, 100]);
  });

  it('prunes at most 100 sessions per login', async () => {
    const h = harness();
    for (let i = 0; i < 101; i++) h.db.seed({ ...ALICE }, { id: `old-${i}`, expires_at: T0 - 1 });
    await openSession(h.core, h.ctx(), { sub: 7, email: 'a@x.test', name: 'A', app: 'prokov', role: 'user' });
    await settle();
    expect(h.db.sessions.size).toBe(2);
  });

  it('with nothing to prune, only the read is sent', async () => {
    const h = harness();
    await openSession(h.core, h.ctx(), { sub: 7, email: 'a@x.test', name: 'A', app: 'prokov', role: 'user' });
    await settle();
    expect(h.db.calls.map((c) => c.query)).toEqual([INSERT_SESSION, INSERT_TOKEN, PRUNE_READ]);
  });

  it('a failing prune never fails the login', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: 'old', expires_at: T0 - 1 });
    h.db.intercept = (action, params) => {
      const first = action === 'transaction' ? (params.statements as { query: string }[])[0]!.query : '';
      if (first.startsWith('DELETE')) throw new SogomsError(ErrorCode.DB_ERROR, 'deadlock');
      return undefined;
    };
    const issued = await openSession(h.core, h.ctx(), {
      sub: 7,
      email: 'a@x.test',
      name: 'A',
      app: 'prokov',
      role: 'user',
    });
    await settle();
    expect(issued.refresh_token).toHaveLength(43);
    expect(h.db.sessions.has('old')).toBe(true);
    expect(h.db.calls.map((c) => c.query).filter((q) => q.startsWith('DELETE'))).toHaveLength(2);
    expect(h.warnings).toEqual([]);
  });
});

// ---- revocation ------------------------------------------------------------------------------------------

describe('revocation', () => {
  it('revokeSession ends that session at once in this process, not its siblings’ cached verdicts', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    h.db.seed({ ...ALICE }, { id: SID2 });
    await checkSession(h.core, h.ctx(), claims());
    await checkSession(h.core, h.ctx(), claims({ sid: SID2 }));
    h.clock.now += 5;
    await revokeSession(h.core, h.ctx(), SID);
    expect(h.db.sessions.get(SID)!.revoked_at).toBe(T0 + 5);
    expect(h.db.sessions.get(SID2)!.revoked_at).toBeNull();
    expect(h.db.calls.at(-1)).toMatchObject({ action: 'update', query: REVOKE_ONE, args: [T0 + 5, SID] });
    expect(await refusal(checkSession(h.core, h.ctx(), claims()))).toEqual(ENDED);
    await checkSession(h.core, h.ctx(), claims({ sid: SID2 }));
    expect(h.db.reads()).toBe(3);
  });

  it('revokeUserSessions ends every session of the user, and this process re-reads the app’s sessions', async () => {
    const h = harness();
    h.db.seed({ ...ALICE }, { id: SID });
    h.db.seed({ ...ALICE }, { id: 'earlier-revoked-aaaaaa', revoked_at: T0 - 9 });
    h.db.seed({ ...BOB }, { id: SID2 });
    const other = appConfig('other');
    await checkSession(h.core, h.ctx(), claims());
    await checkSession(h.core, h.ctx(), claims({ sub: 8, sid: SID2 }));
    await checkSession(h.core, h.ctx(other), claims({ app: 'other' }));
    h.clock.now += 5;
    await revokeUserSessions(h.core, h.ctx(), 7);
    expect(h.db.calls.at(-1)).toMatchObject({ action: 'update', query: REVOKE_USER, args: [T0 + 5, 7] });
    expect(h.db.sessions.get(SID)!.revoked_at).toBe(T0 + 5);
    expect(h.db.sessions.get('earlier-revoked-aaaaaa')!.revoked_at).toBe(T0 - 9);
    expect(h.db.sessions.get(SID2)!.revoked_at).toBeNull();
    expect(await refusal(checkSession(h.core, h.ctx(), claims()))).toEqual(ENDED);
    await checkSession(h.core, h.ctx(), claims({ sub: 8, sid: SID2 }));
    // The other app's verdict is still trusted (its database is another one).
    await checkSession(h.core, h.ctx(other), claims({ app: 'other' }));
    expect(h.db.calls.filter((c) => c.query === CHECK).map((c) => [c.app, c.args[0]])).toEqual([
      ['prokov', SID],
      ['prokov', SID2],
      ['other', SID],
      ['prokov', SID],
      ['prokov', SID2],
    ]);
  });

  it('revokeUserSessions does nothing for an app without sessions', async () => {
    const h = harness();
    await revokeUserSessions(h.core, h.ctx(appConfig('prokov', { sessions: false })), 7);
    expect(h.db.calls).toEqual([]);
  });

  it('requireSessions answers 404 for an app without sessions, nothing otherwise', () => {
    expect(() => requireSessions(appConfig('prokov'))).not.toThrow();
    const err = (() => {
      try {
        requireSessions(appConfig('prokov', { sessions: false }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isSogomsError(err, ErrorCode.NOT_FOUND)).toBe(true);
    expect((err as Error).message).toBe('Sessions are not enabled');
  });
});

// ---- refresh-token rotation ------------------------------------------------------------------------------

describe('rotateRefresh', () => {
  function seeded(session: Partial<SessionRow> = {}, user: Row = { ...ALICE }): Harness {
    const h = harness();
    h.db.seed(user, { id: SID, role: 'user', ...session }, REFRESH);
    h.clock.now = T0 + 1_000;
    return h;
  }

  it('spends the token, issues a new pair and slides the session’s expiry', async () => {
    const h = seeded();
    const issued = await rotateRefresh(h.core, h.ctx(), REFRESH);
    const now = T0 + 1_000;
    expect(issued.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issued.refresh_token).not.toBe(REFRESH);
    expect(issued.expires_in).toBe(91);
    const verified = await verifyToken(issued.token, SECRET, 'prokov', now);
    expect(verified).toMatchObject({
      sub: 7,
      email: 'alice@example.com',
      name: 'Alice',
      app: 'prokov',
      role: 'user',
      sid: SID,
    });
    expect(verified.iat).toBe(now / 1000);
    expect(verified.exp - verified.iat).toBe(91);
    expect(h.db.tokens.get(sha256(REFRESH))!.spent_at).toBe(now);
    expect(h.db.tokens.get(sha256(issued.refresh_token))).toEqual({
      hash: sha256(issued.refresh_token),
      session_id: SID,
      created_at: now,
      spent_at: null,
    });
    expect(h.db.sessions.get(SID)!.expires_at).toBe(now + 7 * DAY);
    expect(h.events).toEqual([{ app: 'prokov', event: 'refresh', userId: 7, data: undefined }]);
    expect(h.db.calls.map((c) => [c.action, c.query])).toEqual([
      ['query_one', REFRESH_READ],
      ['update', SPEND],
      ['transaction', EXTEND],
      ['transaction', INSERT_TOKEN],
    ]);
    // The new token rotates in turn; the old one is now a replay.
    await expect(rotateRefresh(h.core, h.ctx(), issued.refresh_token)).resolves.toMatchObject({
      expires_in: 91,
    });
  });

  const malformed: [string, unknown][] = [
    ['no token', undefined],
    ['a number', 42],
    ['42 characters', 'a'.repeat(42)],
    ['44 characters', 'a'.repeat(44)],
    ['a character outside base64url', `${'a'.repeat(42)}.`],
    ['43 good characters followed by junk', `${'a'.repeat(43)}!`],
    ['43 good characters after junk', `!${'a'.repeat(43)}`],
    ['a JSON array holding a well-formed token', ['a'.repeat(43)]],
  ];
  for (const [name, presented] of malformed)
    it(`refuses a malformed token without a query: ${name}`, async () => {
      const h = seeded();
      expect(await refusal(rotateRefresh(h.core, h.ctx(), presented))).toEqual(INVALID_REFRESH);
      expect(h.db.calls).toEqual([]);
    });

  it('refuses an unknown token', async () => {
    const h = seeded();
    expect(await refusal(rotateRefresh(h.core, h.ctx(), 'u'.repeat(43)))).toEqual(INVALID_REFRESH);
    expect(h.db.calls.map((c) => c.args)).toEqual([[sha256('u'.repeat(43))]]);
    expect(h.events).toEqual([]);
  });

  it('a spent token presented again revokes the whole session, logs refresh_reuse and warns', async () => {
    const h = seeded();
    await checkSession(h.core, h.ctx(), claims());
    const issued = await rotateRefresh(h.core, h.ctx(), REFRESH);
    expect(await refusal(rotateRefresh(h.core, h.ctx(), REFRESH))).toEqual(INVALID_REFRESH);
    expect(h.db.sessions.get(SID)!.revoked_at).toBe(T0 + 1_000);
    expect(h.events.at(-1)).toEqual({
      app: 'prokov',
      event: 'refresh_reuse',
      userId: 7,
      data: { how: 'spent' },
    });
    expect(h.warnings).toEqual([
      {
        obj: { app: 'prokov', requestId: 'req-3', userId: 7, how: 'spent' },
        msg: 'security: spent refresh token presented again, session revoked',
      },
    ]);
    // The thief's copy and the legitimate new token are both dead, and so is the access token, at once.
    expect(await refusal(rotateRefresh(h.core, h.ctx(), issued.refresh_token))).toEqual(ENDED);
    expect(await refusal(checkSession(h.core, h.ctx(), claims()))).toEqual(ENDED);
  });

  it('a token spent by a concurrent request between the read and the update is reuse too', async () => {
    const h = seeded();
    h.db.intercept = (action, params) =>
      action === 'update' && params.query === SPEND ? { affected_rows: 0, insert_id: 0 } : undefined;
    expect(await refusal(rotateRefresh(h.core, h.ctx(), REFRESH))).toEqual(INVALID_REFRESH);
    expect(h.db.sessions.get(SID)!.revoked_at).toBe(T0 + 1_000);
    expect(h.events).toEqual([
      { app: 'prokov', event: 'refresh_reuse', userId: 7, data: { how: 'concurrent' } },
    ]);
    expect(h.warnings[0]?.obj).toMatchObject({ how: 'concurrent', userId: 7 });
    expect(h.db.tokens.size).toBe(1);
  });

  const ended: { name: string; session?: Partial<SessionRow>; user?: Row; gone?: true; revokes: boolean }[] =
    [
      { name: 'a revoked session', session: { revoked_at: T0 }, revokes: false },
      {
        name: 'a session that expires this very millisecond',
        session: { expires_at: T0 + 1_000 },
        revokes: false,
      },
      { name: 'a user row that is gone', gone: true, revokes: true },
      { name: 'a user now holding another role', user: { ...ALICE, role: 'admin' }, revokes: true },
    ];
  for (const c of ended)
    it(`ends the session for ${c.name}${c.revokes ? ' and revokes it' : ''}, spending nothing`, async () => {
      const h = seeded(c.session, c.user);
      if (c.gone) h.db.users.clear();
      const revokedBefore = h.db.sessions.get(SID)!.revoked_at;
      expect(await refusal(rotateRefresh(h.core, h.ctx(), REFRESH))).toEqual(ENDED);
      expect(h.db.sessions.get(SID)!.revoked_at).toBe(c.revokes ? T0 + 1_000 : revokedBefore);
      expect(h.db.calls.map((c) => c.query)).toEqual(c.revokes ? [REFRESH_READ, REVOKE_ONE] : [REFRESH_READ]);
      expect(h.db.tokens.get(sha256(REFRESH))!.spent_at).toBeNull();
      expect(h.events).toEqual([]);
    });

  it('a session that expires one millisecond later still rotates', async () => {
    const h = seeded({ expires_at: T0 + 1_001 });
    await expect(rotateRefresh(h.core, h.ctx(), REFRESH)).resolves.toMatchObject({ expires_in: 91 });
  });

  it('a user row without id (driver leaving NULL columns out) ends and revokes the session', async () => {
    const h = seeded();
    h.db.intercept = (action) =>
      action === 'query_one'
        ? {
            sogoms_session_id: SID,
            sogoms_spent_at: null,
            sogoms_user_id: 7,
            sogoms_role: 'user',
            sogoms_expires_at: T0 + DAY,
            sogoms_revoked_at: null,
            role: 'user',
          }
        : undefined;
    expect(await refusal(rotateRefresh(h.core, h.ctx(), REFRESH))).toEqual(ENDED);
    expect(h.db.sessions.get(SID)!.revoked_at).toBe(T0 + 1_000);
  });

  it('a session revoked between the read and the new token (a racing logout) ends', async () => {
    const h = seeded();
    h.db.intercept = (action) => {
      if (action === 'transaction') h.db.sessions.get(SID)!.revoked_at = T0;
      return undefined;
    };
    expect(await refusal(rotateRefresh(h.core, h.ctx(), REFRESH))).toEqual(ENDED);
    expect(h.events).toEqual([]);
  });

  it('reads BIGINT strings as numbers; a user id that is not an integer becomes 0', async () => {
    for (const [column, userId] of [
      ['7', 7],
      ['x7', 0],
      ['7x', 0],
      ['-7', -7],
    ] as const) {
      const h = seeded();
      h.db.intercept = (action) =>
        action === 'query_one'
          ? {
              sogoms_session_id: SID,
              sogoms_spent_at: null,
              sogoms_user_id: column,
              sogoms_role: 'user',
              sogoms_expires_at: String(T0 + DAY),
              sogoms_revoked_at: null,
              ...ALICE,
            }
          : undefined;
      await rotateRefresh(h.core, h.ctx(), REFRESH);
      expect(h.events.map((e) => e.userId)).toEqual([userId]);
    }
  });

  it('a missing email or name column becomes an empty claim; an empty role the default role', async () => {
    const h = seeded({}, { id: 7, email: null, name: 42, role: '', password: 'x' });
    const issued = await rotateRefresh(h.core, h.ctx(), REFRESH);
    expect(await verifyToken(issued.token, SECRET, 'prokov', T0 + 1_000)).toMatchObject({
      email: '',
      name: '',
      role: 'user',
    });
  });

  it('a failing read is passed on with the tables hint', async () => {
    const h = seeded();
    const missing = new SogomsError(ErrorCode.DB_ERROR, 'no such table: sogoms_refresh_tokens');
    h.db.intercept = () => {
      throw missing;
    };
    await expect(rotateRefresh(h.core, h.ctx(), REFRESH)).rejects.toBe(missing);
    expect(h.warnings).toEqual([{ obj: { app: 'prokov', requestId: 'req-1' }, msg: HINT }]);
  });
});
