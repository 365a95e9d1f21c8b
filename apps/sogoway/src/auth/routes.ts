// /auth/register, /auth/login, /auth/logout, /auth/me (SPEC §5).

import { hashPassword, signToken, verifyPassword } from '@sogoms/auth';
import type { AuthQueries } from '@sogoms/config';
import { ErrorCode, isSogomsError, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayCore, RequestContext } from '../core.js';
import { bind, compileResource, filterFor } from '../crud/compile.js';
import { requireObject, scalarField, stringField } from '../http/body.js';
import { sendOk } from '../http/envelope.js';
import { authStatements } from './queries.js';
import { rateLimited } from './rate-limit.js';
import { requireUser } from './tokens.js';
import {
  checkEmailFormat,
  checkNewPassword,
  DEFAULT_ROLE,
  normalizeEmail,
  publicUser,
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
  const email = normalizeEmail(body.email);
  checkEmailFormat(email);
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
  const token = await signToken(
    { sub: insertId, email, name, app: app.app, role },
    app.auth.jwtSecret,
    app.auth.jwtExpiryMs,
    core.now(),
  );
  if (queries.register.welcomeEmail) {
    core.mail(ctx, queries.register.welcomeEmail, email, { Name: name, Email: email });
  }
  core.event(ctx, 'register', insertId);
  sendOk(reply, 201, 'Inscription réussie', { token, user });
};

export const login: AuthHandler = async (core, ctx, request, reply) => {
  const { app } = ctx;
  const queries = authQueries(ctx);
  const body = requireObject(request.body);
  const email = normalizeEmail(body.email);
  const password = body.password;
  if (typeof password !== 'string') {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'Field "password" is required and must be a string');
  }
  const limits = app.auth.rateLimit;
  const failuresKey = `${app.app}\u0000login-failed\u0000${email}`;
  if (limits.enabled) {
    const perIp = core.limiter.hit(
      `${app.app}\u0000login\u0000${ctx.ip}`,
      limits.loginPerIp,
      limits.loginPerIpWindowMs,
    );
    if (!perIp.allowed) throw rateLimited(perIp.retryAfterS);
    const failures = core.limiter.check(
      failuresKey,
      limits.loginFailuresPerEmail,
      limits.loginFailuresWindowMs,
    );
    if (!failures.allowed) throw rateLimited(failures.retryAfterS);
  }
  const statements = authStatements(queries);
  const row = await core.db<Row | null>(ctx, 'query_one', {
    query: statements.login.text,
    args: bind(statements.login, { userId: 0, role: '', email }),
  });
  // verifyPassword compares against a dummy hash when there is no row: same answer, about the same time.
  const ok = await verifyPassword(
    password,
    typeof row?.password === 'string' ? row.password : undefined,
    app.auth.bcryptCost,
  );
  if (!row || !ok) {
    if (limits.enabled)
      core.limiter.hit(failuresKey, limits.loginFailuresPerEmail, limits.loginFailuresWindowMs);
    core.event(ctx, 'login_failed', row ? userIdOf(row) : undefined, { email });
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
  const token = await signToken(claims, app.auth.jwtSecret, app.auth.jwtExpiryMs, core.now());
  const included = await loadIncludes(core, ctx, queries, { userId, role, email: claims.email });
  core.event(ctx, 'login', userId);
  sendOk(reply, 200, 'Connexion réussie', { ...included, token, user: publicUser(row) });
};

/** login.include: each resource's list, role-filtered, in its default order, up to its maximum page size. */
async function loadIncludes(
  core: GatewayCore,
  ctx: RequestContext,
  queries: AuthQueries,
  who: { userId: number; role: string; email: string },
): Promise<Record<string, unknown>> {
  const names = queries.login.include.filter((name) => ctx.app.resources[name]?.list);
  const lists = await Promise.all(
    names.map((name) => {
      const plan = compileResource(ctx.app.resources[name]!).list!;
      const statement = plan.statement(filterFor(plan.query.filters, who.role), [], '');
      const args = bind(statement, who);
      args.push(plan.query.limit.max, 0);
      return core.db<unknown[]>(ctx, 'query', { query: statement.text, args });
    }),
  );
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    out[name] = lists[i];
  });
  return out;
}

export const logout: AuthHandler = async (core, ctx, request, reply) => {
  const claims = await requireUser(core, ctx.app, request.headers.authorization);
  core.event(ctx, 'logout', claims.sub);
  sendOk(reply, 200, 'Déconnexion réussie', null);
};

export const me: AuthHandler = async (core, ctx, request, reply) => {
  const claims = await requireUser(core, ctx.app, request.headers.authorization);
  const statements = authStatements(authQueries(ctx));
  const row = await core.db<Row | null>(ctx, 'query_one', {
    query: statements.me.text,
    args: bind(statements.me, { userId: claims.sub, role: claims.role, email: claims.email }),
  });
  if (!row) throw new SogomsError(ErrorCode.NOT_FOUND, 'User not found');
  sendOk(reply, 200, 'OK', publicUser(row));
};
