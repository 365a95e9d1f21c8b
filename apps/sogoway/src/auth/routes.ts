// /auth/register, /auth/login, /auth/logout, /auth/me (SPEC §5). With sessions (auth.sessions, the default)
// register and login open a session (sessions.ts) and answer a refresh token beside the access token.

import { hashPassword, signToken, verifyPassword } from '@sogoms/auth';
import type { AuthQueries } from '@sogoms/config';
import { ErrorCode, isSogomsError, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayCore, RequestContext } from '../core.js';
import { bind, compileResource, filterFor } from '../crud/compile.js';
import { requireObject, scalarField, stringField } from '../http/body.js';
import { sendOk } from '../http/envelope.js';
import { isVerified, sendVerification } from './email-verification.js';
import { authStatements } from './queries.js';
import { rateLimited } from './rate-limit.js';
import { openSession, revokeSession, revokeUserSessions } from './sessions.js';
import { requireUser } from './tokens.js';
import {
  canonicalEmail,
  checkLoginPassword,
  checkNewPassword,
  DEFAULT_ROLE,
  publicUser,
  readEmail,
  roleOf,
  stringOr,
  userIdOf,
} from './users.js';

export type AuthHandler = (
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<void>;

// Never taken from a registration body, whatever the YAML lists: the database and admins decide these.
const NEVER_FROM_BODY = new Set(['id', 'role', 'user_id']);

export function authQueries(ctx: RequestContext): AuthQueries {
  const queries = ctx.app.authQueries;
  if (!queries) throw new SogomsError(ErrorCode.NOT_FOUND, 'Route not found');
  return queries;
}

type Row = Record<string, unknown>;

export const register: AuthHandler = async (core, ctx, request, reply) => {
  const { app } = ctx;
  const queries = authQueries(ctx);
  const limits = app.auth.rateLimit;
  if (limits.enabled) {
    const check = core.limiter.hit(
      `${app.app}\u0000register\u0000${ctx.ip}`,
      limits.registerPerIp,
      limits.registerPerIpWindowMs,
    );
    if (!check.allowed) throw rateLimited(check.retryAfterS);
  }
  const body = requireObject(request.body);
  const email = readEmail(body.email);
  const password = checkNewPassword(body.password, app.auth.passwordMinLength);
  const columns: string[] = [];
  const args: unknown[] = [];
  for (const field of queries.register.fields) {
    if (NEVER_FROM_BODY.has(field)) continue;
    if (field === 'email') args.push(email);
    else if (field === 'password') args.push(await hashPassword(password, app.auth.bcryptCost));
    else if (field === 'name') args.push(stringField(body, 'name').trim());
    else if (Object.hasOwn(body, field)) args.push(scalarField(field, body[field]));
    else continue;
    columns.push(field);
  }
  const statements = authStatements(queries);
  let insertId: number;
  try {
    const result = await core.db<{ insert_id: number }>(ctx, 'insert', {
      query: statements.register(columns),
      args,
    });
    insertId = userIdOf({ id: result.insert_id });
  } catch (err) {
    if (isSogomsError(err, ErrorCode.DB_DUPLICATE)) {
      throw new SogomsError(ErrorCode.CONFLICT, 'Email already registered');
    }
    throw err;
  }
  const row = await core.db<Row | null>(ctx, 'query_one', {
    query: statements.me.text,
    args: bind(statements.me, { userId: insertId, role: DEFAULT_ROLE, email }),
  });
  const name = stringOr(row?.name, typeof body.name === 'string' ? body.name.trim() : '');
  const user = row ? publicUser(row) : { id: insertId, email, name };
  const role = row ? roleOf(row) : DEFAULT_ROLE;
  if (queries.register.welcomeEmail) {
    core.mail(ctx, queries.register.welcomeEmail, email, { Name: name, Email: email });
  }
  sendVerification(core, ctx, { id: insertId, email, name });
  core.event(ctx, 'register', insertId);
  // No session before the address is verified when the app requires it: the client logs in afterwards.
  if (app.auth.requireVerifiedEmail) {
    sendOk(reply, 201, 'Inscription réussie', { user, email_verification_required: true });
    return;
  }
  const tokens = await issueTokens(core, ctx, { sub: insertId, email, name, app: app.app, role });
  sendOk(reply, 201, 'Inscription réussie', { ...tokens, user });
};

/** With sessions: a new session's access and refresh tokens; without: the one stateless token of the seed. */
async function issueTokens(
  core: GatewayCore,
  ctx: RequestContext,
  claims: { sub: number; email: string; name: string; app: string; role: string },
): Promise<Record<string, unknown>> {
  const { auth } = ctx.app;
  if (auth.sessions) return { ...(await openSession(core, ctx, claims)) };
  return { token: await signToken(claims, auth.jwtSecret, auth.jwtExpiryMs, core.now()) };
}

export const login: AuthHandler = async (core, ctx, request, reply) => {
  const { app } = ctx;
  const queries = authQueries(ctx);
  const limits = app.auth.rateLimit;
  if (limits.enabled) {
    const perIp = core.limiter.hit(
      `${app.app}\u0000login\u0000${ctx.ip}`,
      limits.loginPerIp,
      limits.loginPerIpWindowMs,
    );
    if (!perIp.allowed) throw rateLimited(perIp.retryAfterS);
  }
  const body = requireObject(request.body);
  const email = readEmail(body.email);
  const password = checkLoginPassword(body.password);
  const statements = authStatements(queries);
  const found = await core.db<Row | null>(ctx, 'query_one', {
    query: statements.login.text,
    args: bind(statements.login, { userId: 0, role: '', email }),
  });
  // The failures limit belongs to the account the password is checked against (whatever variant of its
  // address was typed), or to the canonical address when there is none. The attempt is reserved before
  // bcrypt, so parallel guesses cannot all be checked; a success gives it back.
  const failuresKey = found
    ? `${app.app}\u0000login-failed\u0000#${userIdOf(found)}`
    : `${app.app}\u0000login-failed\u0000${email}`;
  if (limits.enabled) {
    const attempt = core.limiter.hit(failuresKey, limits.loginFailuresPerEmail, limits.loginFailuresWindowMs);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfterS);
  }
  // A row found through the database's collation for another address (MariaDB's utf8mb4_unicode_ci equates
  // accented letters) is not this login's account: the password is still checked against a dummy hash and
  // the attempt counts as a failure of that account.
  const row = found && sameAddress(found, email) ? found : null;
  // verifyPassword compares against a dummy hash when there is no row: same answer, about the same time.
  const ok = await verifyPassword(
    password,
    typeof row?.password === 'string' ? row.password : undefined,
    app.auth.bcryptCost,
  );
  if (!row || !ok) {
    core.event(ctx, 'login_failed', found ? userIdOf(found) : undefined, { email });
    throw new SogomsError(ErrorCode.INVALID_CREDENTIALS, 'Invalid email or password');
  }
  core.limiter.reset(failuresKey);
  const userId = userIdOf(row);
  const role = roleOf(row);
  const claims = {
    sub: userId,
    email: stringOr(row.email, email),
    name: stringOr(row.name, ''),
    app: app.app,
    role,
  };
  // Checked after the password, so the answer tells nothing about an address to whoever lacks it.
  if (app.auth.requireVerifiedEmail && !(await isVerified(core, ctx, userId, claims.email))) {
    core.event(ctx, 'login_unverified', userId);
    throw new SogomsError(ErrorCode.FORBIDDEN, 'Email address not verified');
  }
  const tokens = await issueTokens(core, ctx, claims);
  const { lists, truncated } = await loadIncludes(core, ctx, queries, { userId, role, email: claims.email });
  core.event(ctx, 'login', userId);
  const meta = truncated.length > 0 ? { include_truncated: truncated } : undefined;
  sendOk(reply, 200, 'Connexion réussie', { ...lists, ...tokens, user: publicUser(row) }, meta);
};

/** True when the row's address (if the login query returns one) is the typed one, once both are canonical. */
function sameAddress(row: Row, email: string): boolean {
  return typeof row.email !== 'string' || canonicalEmail(row.email) === email;
}

/** JSON bytes of included rows in one login answer, all includes together (well under a 16 MiB frame). */
export const LOGIN_INCLUDE_BUDGET_BYTES = 4 * 1024 * 1024;
/** Rows fetched per query of an include list, so that one sogoms-db answer stays far below a frame. */
export const LOGIN_INCLUDE_PAGE_ROWS = 100;

/**
 * login.include: each resource's list, role-filtered, in its default order, up to its maximum page size and
 * within LOGIN_INCLUDE_BUDGET_BYTES: includes take the budget in their listed order, and an include stops at
 * its first row that does not fit in what is left. The names of the lists cut short are returned.
 */
async function loadIncludes(
  core: GatewayCore,
  ctx: RequestContext,
  queries: AuthQueries,
  who: { userId: number; role: string; email: string },
): Promise<{ lists: Record<string, unknown[]>; truncated: string[] }> {
  const names = queries.login.include.filter((name) => ctx.app.resources[name]?.list);
  const pagers = names.map((name) => {
    const plan = compileResource(ctx.app.resources[name]!).list!;
    const statement = plan.statement(filterFor(plan.query.filters, who.role), [], '');
    const max = plan.query.limit.max;
    return {
      max,
      page: (offset: number) => {
        const args = bind(statement, who);
        args.push(Math.min(LOGIN_INCLUDE_PAGE_ROWS, max - offset), offset);
        return core.db<unknown[]>(ctx, 'query', { query: statement.text, args });
      },
    };
  });
  // First pages in parallel (most logins need nothing more); further pages only while the budget lasts.
  const firstPages = await Promise.all(pagers.map((pager) => pager.page(0)));
  const lists: Record<string, unknown[]> = {};
  const truncated: string[] = [];
  let left = LOGIN_INCLUDE_BUDGET_BYTES;
  for (const [i, name] of names.entries()) {
    const { max, page } = pagers[i]!;
    const rows: unknown[] = [];
    let batch = firstPages[i]!;
    let full = false;
    for (;;) {
      for (const row of batch) {
        const size = Buffer.byteLength(JSON.stringify(row)) + 1; // and its comma
        if (size > left) {
          full = true;
          break;
        }
        left -= size;
        rows.push(row);
      }
      if (full || batch.length < LOGIN_INCLUDE_PAGE_ROWS || rows.length >= max) break;
      batch = await page(rows.length);
    }
    lists[name] = rows;
    if (full) truncated.push(name);
  }
  return { lists, truncated };
}

/** Ends this session, or with `{all: true}` every session of the user; without sessions only logs the event. */
export const logout: AuthHandler = async (core, ctx, request, reply) => {
  const claims = await requireUser(core, ctx, request.headers.authorization);
  const body = request.body === undefined || request.body === null ? {} : requireObject(request.body);
  const all = body.all ?? false;
  if (typeof all !== 'boolean') {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'Field "all" must be a boolean', { field: 'all' });
  }
  if (ctx.app.auth.sessions) {
    if (all) await revokeUserSessions(core, ctx, claims.sub);
    else await revokeSession(core, ctx, claims.sid!);
  }
  core.event(ctx, 'logout', claims.sub, all ? { all } : undefined);
  sendOk(reply, 200, 'Déconnexion réussie', null);
};

export const me: AuthHandler = async (core, ctx, request, reply) => {
  const claims = await requireUser(core, ctx, request.headers.authorization);
  const statements = authStatements(authQueries(ctx));
  const row = await core.db<Row | null>(ctx, 'query_one', {
    query: statements.me.text,
    args: bind(statements.me, { userId: claims.sub, role: claims.role, email: claims.email }),
  });
  if (!row) throw new SogomsError(ErrorCode.NOT_FOUND, 'User not found');
  sendOk(reply, 200, 'OK', publicUser(row));
};
