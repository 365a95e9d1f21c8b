// /auth/password/forgot and /auth/password/reset (SPEC §5), with the stateless tokens of tokens.ts.
import { hashPassword } from '@sogoms/auth';
import { renderTemplate } from '@sogoms/gotemplate';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { GatewayCore, RequestContext } from '../core.js';
import { bind } from '../crud/compile.js';
import { requireObject } from '../http/body.js';
import { sendOk } from '../http/envelope.js';
import { authStatements } from './queries.js';
import { rateLimited } from './rate-limit.js';
import { type AuthHandler, authQueries } from './routes.js';
import { revokeUserSessions } from './sessions.js';
import { createResetToken, readResetToken, resetTokenMatches } from './tokens.js';
import { checkEmailFormat, checkNewPassword, normalizeEmail, stringOr, userIdOf } from './users.js';

const FORGOT_MESSAGE = 'Si un compte existe pour cet email, un lien de réinitialisation a été envoyé';
const INVALID_TOKEN = 'Invalid or expired reset token';

function resetSettings(ctx: RequestContext) {
  const reset = authQueries(ctx).passwordReset;
  if (!reset) throw new SogomsError(ErrorCode.NOT_FOUND, 'Password reset is not enabled');
  return reset;
}

// Both endpoints mail or write without a password check: the per-address login limit applies to them too.
function limitPerIp(core: GatewayCore, ctx: RequestContext): void {
  const limits = ctx.app.auth.rateLimit;
  if (!limits.enabled) return;
  const key = `${ctx.app.app}\u0000password\u0000${ctx.ip}`;
  const check = core.limiter.hit(key, limits.loginPerIp, limits.loginPerIpWindowMs);
  if (!check.allowed) throw rateLimited(check.retryAfterS);
}

/**
 * The per-address limit on reset mails (auth.rate_limit.forgot_per_email): every call counts, whether the
 * address has an account or not, and past the limit the answer is the same 200 without a mail, so the limit
 * protects the inbox without telling anything about the account.
 */
function forgotAllowedFor(core: GatewayCore, ctx: RequestContext, email: string): boolean {
  const limits = ctx.app.auth.rateLimit;
  if (!limits.enabled) return true;
  const key = `${ctx.app.app}\u0000forgot\u0000${email}`;
  return core.limiter.hit(key, limits.forgotPerEmail, limits.forgotPerEmailWindowMs).allowed;
}

export const forgotPassword: AuthHandler = async (core, ctx, request, reply) => {
  const settings = resetSettings(ctx);
  limitPerIp(core, ctx);
  const email = normalizeEmail(requireObject(request.body).email);
  checkEmailFormat(email);
  if (!forgotAllowedFor(core, ctx, email)) {
    sendOk(reply, 200, FORGOT_MESSAGE, null);
    return;
  }
  const statements = authStatements(authQueries(ctx));
  const row = await core.db<Record<string, unknown> | null>(ctx, 'query_one', {
    query: statements.login.text,
    args: bind(statements.login, { userId: 0, role: '', email }),
  });
  if (row && typeof row.password === 'string') {
    const userId = userIdOf(row);
    const token = createResetToken(ctx.app, userId, row.password, core.now());
    const url = renderTemplate(settings.url, { Token: token });
    // Not awaited: an unknown email and a known one answer alike, and a mail outage does not fail the request.
    core.mail(ctx, settings.template, stringOr(row.email, email), {
      Name: stringOr(row.name, ''),
      Email: stringOr(row.email, email),
      ResetURL: url,
      Token: token,
    });
    core.event(ctx, 'password_forgot', userId);
  }
  sendOk(reply, 200, FORGOT_MESSAGE, null);
};

export const resetPassword: AuthHandler = async (core, ctx, request, reply) => {
  resetSettings(ctx);
  limitPerIp(core, ctx);
  const body = requireObject(request.body);
  const password = checkNewPassword(body.password, ctx.app.auth.passwordMinLength);
  const token = typeof body.token === 'string' ? readResetToken(body.token, core.now()) : undefined;
  if (!token) throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  const statements = authStatements(authQueries(ctx));
  const row = await core.db<Record<string, unknown> | null>(ctx, 'query_one', {
    query: statements.resetRead!,
    args: [token.userId],
  });
  const oldHash = row?.password;
  if (typeof oldHash !== 'string' || !resetTokenMatches(ctx.app, token, oldHash)) {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  }
  const newHash = await hashPassword(password, ctx.app.auth.bcryptCost);
  // Conditioned on the old hash: of two concurrent uses of one token, only one can change it.
  const result = await core.db<{ affected_rows: number }>(ctx, 'update', {
    query: statements.resetWrite!,
    args: [newHash, token.userId, oldHash],
  });
  if (result.affected_rows === 0) throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  // Whoever knew the old password (the reason for many resets) loses every session.
  await revokeUserSessions(core, ctx, token.userId);
  core.event(ctx, 'password_reset', token.userId);
  sendOk(reply, 200, 'Mot de passe modifié', null);
};
