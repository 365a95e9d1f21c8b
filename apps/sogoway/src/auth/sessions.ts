// Revocable sessions (DOCTECH §7 "Sessions"): one row of sogoms_sessions per login, whose id is the access
// token's `sid`, and rotating refresh tokens stored hashed in sogoms_refresh_tokens, in the app's database so
// that every gateway instance sees a revocation.
//
// Checking a session costs a Map lookup: each process remembers a session's verdict for SESSION_CHECK_MS, then
// asks sogoms-db one query that also reads the user's row (gone, or another role than the token's, ends the
// session). A revocation made anywhere is therefore honoured everywhere within SESSION_CHECK_MS, and at once
// by the instance that made it. Concurrent requests of one session share one query.
import { createHash, randomBytes } from 'node:crypto';
import { signToken, type TokenClaims, type UserClaims } from '@sogoms/auth';
import type { AppConfig, AuthQueries } from '@sogoms/config';
import { ErrorCode, isSogomsError, SogomsError } from '@sogoms/protocol';
import type { GatewayCore, RequestContext } from '../core.js';
import { roleOf } from './users.js';

/** How long a process trusts what it last read about a session: the revocation bound on other instances. */
export const SESSION_CHECK_MS = 2_000;
/** Session verdicts kept per gateway process (a few MiB when full); the oldest go first. */
export const MAX_CACHED_SESSIONS = 50_000;
export const SESSION_ENDED = 'Session ended';
export const INVALID_REFRESH = 'Invalid refresh token';
// 16 random bytes: 22 base64url characters; refresh tokens take 32 (43 characters).
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

type Row = Record<string, unknown>;

interface Verdict {
  live: boolean;
  userId: number;
  role: string;
}

interface Entry {
  checkedAt: number;
  verdict: Promise<Verdict>;
}

/** What login, register, refresh and password change send back. */
export interface IssuedTokens {
  token: string;
  refresh_token: string;
  expires_in: number; // seconds of the access token
}

interface Statements {
  check: string;
  refreshRead: string;
}

const statementCache = new WeakMap<AuthQueries, Statements>();
const caches = new WeakMap<GatewayCore, Map<string, Entry>>();

function statements(queries: AuthQueries): Statements {
  let s = statementCache.get(queries);
  if (!s) {
    // register.table is checked as an identifier by the config loader.
    const users = '`' + queries.register.table + '`';
    s = {
      check:
        'SELECT s.user_id AS sogoms_user_id, s.expires_at AS sogoms_expires_at, s.revoked_at AS sogoms_revoked_at, ' +
        `u.* FROM sogoms_sessions s LEFT JOIN ${users} u ON u.id = s.user_id WHERE s.id = ?`,
      refreshRead:
        'SELECT t.session_id AS sogoms_session_id, t.spent_at AS sogoms_spent_at, s.user_id AS sogoms_user_id, ' +
        's.role AS sogoms_role, s.expires_at AS sogoms_expires_at, s.revoked_at AS sogoms_revoked_at, u.* ' +
        `FROM sogoms_refresh_tokens t JOIN sogoms_sessions s ON s.id = t.session_id LEFT JOIN ${users} u ` +
        'ON u.id = s.user_id WHERE t.hash = ?',
    };
    statementCache.set(queries, s);
  }
  return s;
}

function cacheOf(core: GatewayCore): Map<string, Entry> {
  let cache = caches.get(core);
  if (!cache) {
    cache = new Map();
    caches.set(core, cache);
  }
  return cache;
}

const cacheKey = (app: string, sid: string) => `${app}\u0000${sid}`;

function hashRefresh(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function ended(): SogomsError {
  return new SogomsError(ErrorCode.UNAUTHORIZED, SESSION_ENDED);
}

/** Numbers of the session tables may come back as strings (BIGINT on some drivers). */
function num(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return Number(value);
  return null;
}

function sessionsTableHint(core: GatewayCore, ctx: RequestContext, err: unknown): unknown {
  if (isSogomsError(err, ErrorCode.DB_ERROR)) {
    core.logger.warn(
      { app: ctx.app.app, requestId: ctx.requestId },
      'session statement failed: are the sogoms_sessions tables there? (clients/migrations/001_sessions.*.sql)',
    );
  }
  return err;
}

/**
 * Refuses (401 "Session ended") a token whose session was revoked or expired, whose user is gone or now has
 * another role. Tokens without `sid` are refused when the app has sessions (they could not be revoked).
 */
export async function checkSession(
  core: GatewayCore,
  ctx: RequestContext,
  claims: TokenClaims,
): Promise<void> {
  const { app } = ctx;
  if (!app.auth.sessions) return;
  const sid = claims.sid;
  if (sid === undefined || !SESSION_ID.test(sid))
    throw new SogomsError(ErrorCode.UNAUTHORIZED, 'Invalid token');
  const cache = cacheOf(core);
  const key = cacheKey(app.app, sid);
  const now = core.now();
  let entry = cache.get(key);
  if (!entry || now - entry.checkedAt >= SESSION_CHECK_MS || now < entry.checkedAt) {
    if (entry) cache.delete(key);
    else if (cache.size >= MAX_CACHED_SESSIONS) cache.delete(cache.keys().next().value!);
    const fresh: Entry = { checkedAt: now, verdict: readVerdict(core, ctx, sid) };
    entry = fresh;
    cache.set(key, fresh);
    // A failed read is not remembered: the next request asks again.
    fresh.verdict.catch(() => {
      if (cache.get(key) === fresh) cache.delete(key);
    });
  }
  const verdict = await entry.verdict;
  if (!verdict.live || verdict.userId !== claims.sub || verdict.role !== claims.role) throw ended();
}

async function readVerdict(core: GatewayCore, ctx: RequestContext, sid: string): Promise<Verdict> {
  const queries = ctx.app.authQueries;
  // Without auth.yaml no session can have been opened.
  if (!queries) return { live: false, userId: 0, role: '' };
  let row: Row | null;
  try {
    row = await core.db<Row | null>(ctx, 'query_one', { query: statements(queries).check, args: [sid] });
  } catch (err) {
    throw sessionsTableHint(core, ctx, err);
  }
  if (!row) return { live: false, userId: 0, role: '' };
  const expiresAt = num(row.sogoms_expires_at) ?? 0;
  const live =
    row.sogoms_revoked_at === null && expiresAt > core.now() && row.id !== null && row.id !== undefined;
  return { live, userId: num(row.sogoms_user_id) ?? 0, role: live ? roleOf(row) : '' };
}

/** Forgets this process's verdicts about the user's sessions (or one session), after a revocation here. */
function forget(core: GatewayCore, app: string, sid?: string): void {
  const cache = cacheOf(core);
  if (sid !== undefined) {
    cache.delete(cacheKey(app, sid));
    return;
  }
  // Revoking all of a user's sessions is rare: this process simply re-reads every session of the app.
  const prefix = `${app}\u0000`;
  for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
}

/** Opens a session for the user and returns its access and refresh tokens. */
export async function openSession(
  core: GatewayCore,
  ctx: RequestContext,
  user: Omit<UserClaims, 'sid'>,
): Promise<IssuedTokens> {
  const now = core.now();
  const sid = randomBytes(16).toString('base64url');
  const refresh = randomBytes(32).toString('base64url');
  const { auth } = ctx.app;
  try {
    await core.db(ctx, 'transaction', {
      statements: [
        {
          query:
            'INSERT INTO sogoms_sessions (id, user_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
          args: [sid, user.sub, user.role, now, now + auth.refreshTtlMs],
        },
        {
          query: 'INSERT INTO sogoms_refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)',
          args: [hashRefresh(refresh), sid, now],
        },
      ],
    });
  } catch (err) {
    throw sessionsTableHint(core, ctx, err);
  }
  pruneExpired(core, ctx, user.sub, now);
  return {
    token: await signToken({ ...user, sid }, auth.jwtSecret, auth.jwtExpiryMs, now),
    refresh_token: refresh,
    expires_in: Math.ceil(auth.jwtExpiryMs / 1000),
  };
}

// Ended sessions and their spent tokens are kept while a stolen token could still be replayed (until the
// session's own expiry), then deleted when their user next logs in. Never awaited, never fails the login.
// A plain read finds them first and the deletes go by primary key: a range DELETE on user_id took gap locks
// that deadlocked against concurrent logins' INSERTs on MariaDB, and most logins have nothing to prune.
const MAX_PRUNED = 100;

function pruneExpired(core: GatewayCore, ctx: RequestContext, userId: number, now: number): void {
  core
    .db<Row[]>(ctx, 'query', {
      query: 'SELECT id FROM sogoms_sessions WHERE user_id = ? AND expires_at <= ? LIMIT ?',
      args: [userId, now, MAX_PRUNED],
    })
    .then((rows) => {
      const ids = rows.map((row) => String(row.id));
      if (ids.length === 0) return undefined;
      const marks = ids.map(() => '?').join(', ');
      return core.db(ctx, 'transaction', {
        statements: [
          { query: `DELETE FROM sogoms_refresh_tokens WHERE session_id IN (${marks})`, args: ids },
          { query: `DELETE FROM sogoms_sessions WHERE id IN (${marks})`, args: ids },
        ],
      });
    })
    .catch(() => undefined);
}

/** Revokes one session (logout). */
export async function revokeSession(core: GatewayCore, ctx: RequestContext, sid: string): Promise<void> {
  await core.db(ctx, 'update', {
    query: 'UPDATE sogoms_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    args: [core.now(), sid],
  });
  forget(core, ctx.app.app, sid);
}

/** Revokes every session of the user (logout all, password change or reset). No-op without sessions. */
export async function revokeUserSessions(
  core: GatewayCore,
  ctx: RequestContext,
  userId: number,
): Promise<void> {
  if (!ctx.app.auth.sessions) return;
  await core.db(ctx, 'update', {
    query: 'UPDATE sogoms_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
    args: [core.now(), userId],
  });
  forget(core, ctx.app.app);
}

/**
 * Rotates a refresh token: the presented one is spent and a new pair is issued. A spent token presented
 * again (a copy was stolen, or the client replayed it) revokes its whole session and is logged as the
 * security event `refresh_reuse`.
 */
export async function rotateRefresh(
  core: GatewayCore,
  ctx: RequestContext,
  presented: unknown,
): Promise<IssuedTokens> {
  const { app } = ctx;
  if (typeof presented !== 'string' || !REFRESH_TOKEN.test(presented)) {
    throw new SogomsError(ErrorCode.UNAUTHORIZED, INVALID_REFRESH);
  }
  const hash = hashRefresh(presented);
  const queries = ctx.app.authQueries!;
  let row: Row | null;
  try {
    row = await core.db<Row | null>(ctx, 'query_one', {
      query: statements(queries).refreshRead,
      args: [hash],
    });
  } catch (err) {
    throw sessionsTableHint(core, ctx, err);
  }
  if (!row) throw new SogomsError(ErrorCode.UNAUTHORIZED, INVALID_REFRESH);
  const now = core.now();
  const sid = String(row.sogoms_session_id);
  const userId = num(row.sogoms_user_id) ?? 0;
  if (row.sogoms_spent_at !== null) {
    await reuseDetected(core, ctx, sid, userId, 'spent');
    throw new SogomsError(ErrorCode.UNAUTHORIZED, INVALID_REFRESH);
  }
  if (row.sogoms_revoked_at !== null || (num(row.sogoms_expires_at) ?? 0) <= now) throw ended();
  // The user must still exist with the role the session was opened with.
  if (row.id === null || row.id === undefined || roleOf(row) !== row.sogoms_role) {
    await revokeSession(core, ctx, sid);
    throw ended();
  }
  const spent = await core.db<{ affected_rows: number }>(ctx, 'update', {
    query: 'UPDATE sogoms_refresh_tokens SET spent_at = ? WHERE hash = ? AND spent_at IS NULL',
    args: [now, hash],
  });
  if (spent.affected_rows === 0) {
    // Another request spent it in between: two users of one refresh token.
    await reuseDetected(core, ctx, sid, userId, 'concurrent');
    throw new SogomsError(ErrorCode.UNAUTHORIZED, INVALID_REFRESH);
  }
  const refresh = randomBytes(32).toString('base64url');
  const result = await core.db<{ affected_rows: number }[]>(ctx, 'transaction', {
    statements: [
      {
        query: 'UPDATE sogoms_sessions SET expires_at = ? WHERE id = ? AND revoked_at IS NULL',
        args: [now + app.auth.refreshTtlMs, sid],
      },
      {
        query: 'INSERT INTO sogoms_refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)',
        args: [hashRefresh(refresh), sid, now],
      },
    ],
  });
  // Revoked between the read and now (a logout racing the refresh): the new token is useless anyway.
  if (result[0]?.affected_rows === 0) throw ended();
  core.event(ctx, 'refresh', userId);
  const claims: UserClaims = {
    sub: userId,
    email: typeof row.email === 'string' ? row.email : '',
    name: typeof row.name === 'string' ? row.name : '',
    app: app.app,
    role: roleOf(row),
    sid,
  };
  return {
    token: await signToken(claims, app.auth.jwtSecret, app.auth.jwtExpiryMs, now),
    refresh_token: refresh,
    expires_in: Math.ceil(app.auth.jwtExpiryMs / 1000),
  };
}

async function reuseDetected(
  core: GatewayCore,
  ctx: RequestContext,
  sid: string,
  userId: number,
  how: 'spent' | 'concurrent',
): Promise<void> {
  await revokeSession(core, ctx, sid);
  core.event(ctx, 'refresh_reuse', userId, { how });
  core.logger.warn(
    { app: ctx.app.app, requestId: ctx.requestId, userId, how },
    'security: spent refresh token presented again, session revoked',
  );
}

/** Whether the app issues sessions (else 404 on the session-only routes). */
export function requireSessions(app: AppConfig): void {
  if (!app.auth.sessions) throw new SogomsError(ErrorCode.NOT_FOUND, 'Sessions are not enabled');
}
