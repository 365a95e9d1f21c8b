// /auth/refresh (rotation of the refresh token) and /auth/password/change (a logged-in user's new password).
import { hashPassword, verifyPassword } from '@sogoms/auth';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { requireObject } from '../http/body.js';
import { sendOk } from '../http/envelope.js';
import { rateLimited } from './rate-limit.js';
import { type AuthHandler, authQueries } from './routes.js';
import { openSession, requireSessions, revokeUserSessions, rotateRefresh } from './sessions.js';
import { requireUser } from './tokens.js';
import { checkLoginPassword, checkNewPassword } from './users.js';

export const refresh: AuthHandler = async (core, ctx, request, reply) => {
  authQueries(ctx);
  requireSessions(ctx.app);
  const limits = ctx.app.auth.rateLimit;
  if (limits.enabled) {
    const check = core.limiter.hit(
      `${ctx.app.app}\u0000refresh\u0000${ctx.ip}`,
      limits.loginPerIp,
      limits.loginPerIpWindowMs,
    );
    if (!check.allowed) throw rateLimited(check.retryAfterS);
  }
  const tokens = await rotateRefresh(core, ctx, requireObject(request.body).refresh_token);
  sendOk(reply, 200, 'OK', tokens);
};

/**
 * `{current_password, password}`: the current password is checked (and counts against the account's failed
 * logins limit), the new one replaces it, every session of the user ends, and a new one is opened for the
 * caller (`data: {token, refresh_token, expires_in}`; `data: null` without sessions).
 */
export const changePassword: AuthHandler = async (core, ctx, request, reply) => {
  const { app } = ctx;
  const claims = await requireUser(core, ctx, request.headers.authorization);
  const table = '`' + authQueries(ctx).register.table + '`';
  const body = requireObject(request.body);
  const current = checkLoginPassword(body.current_password ?? body.currentPassword);
  const password = checkNewPassword(body.password, app.auth.passwordMinLength);
  const limits = app.auth.rateLimit;
  const failuresKey = `${app.app}\u0000login-failed\u0000#${claims.sub}`;
  if (limits.enabled) {
    const attempt = core.limiter.hit(failuresKey, limits.loginFailuresPerEmail, limits.loginFailuresWindowMs);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfterS);
  }
  const row = await core.db<Record<string, unknown> | null>(ctx, 'query_one', {
    query: `SELECT password FROM ${table} WHERE id = ?`,
    args: [claims.sub],
  });
  const oldHash = typeof row?.password === 'string' ? row.password : undefined;
  if (!(await verifyPassword(current, oldHash, app.auth.bcryptCost)) || oldHash === undefined) {
    core.event(ctx, 'password_change_failed', claims.sub);
    throw new SogomsError(ErrorCode.INVALID_CREDENTIALS, 'Current password is wrong', {
      field: 'current_password',
    });
  }
  core.limiter.reset(failuresKey);
  const newHash = await hashPassword(password, app.auth.bcryptCost);
  // Conditioned on the old hash, like a reset: a concurrent change or reset wins, this one fails.
  const result = await core.db<{ affected_rows: number }>(ctx, 'update', {
    query: `UPDATE ${table} SET password = ? WHERE id = ? AND password = ?`,
    args: [newHash, claims.sub, oldHash],
  });
  if (result.affected_rows === 0) {
    throw new SogomsError(ErrorCode.INVALID_CREDENTIALS, 'Current password is wrong', {
      field: 'current_password',
    });
  }
  await revokeUserSessions(core, ctx, claims.sub);
  core.event(ctx, 'password_change', claims.sub);
  const user = { sub: claims.sub, email: claims.email, name: claims.name, app: app.app, role: claims.role };
  const tokens = app.auth.sessions ? await openSession(core, ctx, user) : null;
  sendOk(reply, 200, 'Mot de passe modifié', tokens);
};
