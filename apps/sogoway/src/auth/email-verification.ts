// Email verification (DOCTECH §7 "Email verification"): auth.yaml `email_verification` mails a link at
// registration and on POST /auth/email/resend; POST /auth/email/verify {token} records the address in
// sogoms_email_verifications. With auth.require_verified_email, login is refused until then.
//
// Tokens are stateless like reset tokens (`<user id>.<expiry s>.<HMAC>`), with a key of their own; the HMAC
// covers the user's current address, and a token is accepted only while that address is not yet verified: it
// works once, and not at all once the address changed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '@sogoms/config';
import { renderTemplate } from '@sogoms/gotemplate';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { GatewayCore, RequestContext } from '../core.js';
import { bind } from '../crud/compile.js';
import { requireObject } from '../http/body.js';
import { sendOk } from '../http/envelope.js';
import { authStatements } from './queries.js';
import { rateLimited } from './rate-limit.js';
import { type AuthHandler, authQueries } from './routes.js';
import { readResetToken } from './tokens.js';
import { canonicalEmail, readEmail, stringOr, userIdOf } from './users.js';

export const VERIFY_TOKEN_TTL_MS = 24 * 3_600_000;
const VERIFY_KEY_LABEL = 'sogoms email verification v1';
const RESEND_MESSAGE = 'Si un compte non vérifié existe pour cet email, un lien de vérification a été envoyé';
const INVALID_TOKEN = 'Invalid or expired verification token';

function verifyMac(app: AppConfig, userId: number, expS: number, email: string): string {
  const key = createHmac('sha256', app.auth.jwtSecret).update(VERIFY_KEY_LABEL).digest();
  return createHmac('sha256', key)
    .update(`${app.app}\n${userId}\n${expS}\n${canonicalEmail(email)}`)
    .digest('base64url');
}

/** A verification token for the user's address, valid VERIFY_TOKEN_TTL_MS from `now`. */
export function createVerifyToken(app: AppConfig, userId: number, email: string, now: number): string {
  const expS = Math.floor((now + VERIFY_TOKEN_TTL_MS) / 1000);
  return `${userId}.${expS}.${verifyMac(app, userId, expS, email)}`;
}

/** Whether the user's current address is the one verified. */
export async function isVerified(
  core: GatewayCore,
  ctx: RequestContext,
  userId: number,
  email: string,
): Promise<boolean> {
  const row = await core.db<Record<string, unknown> | null>(ctx, 'query_one', {
    query: 'SELECT email FROM sogoms_email_verifications WHERE user_id = ?',
    args: [userId],
  });
  return typeof row?.email === 'string' && canonicalEmail(row.email) === canonicalEmail(email);
}

/** Mails the verification link (fire-and-forget) when the app configures email_verification. */
export function sendVerification(
  core: GatewayCore,
  ctx: RequestContext,
  user: { id: number; email: string; name: string },
): void {
  const settings = ctx.app.authQueries?.emailVerification;
  if (!settings) return;
  const token = createVerifyToken(ctx.app, user.id, user.email, core.now());
  const url = renderTemplate(settings.url, { Token: token });
  core.mail(ctx, settings.template, user.email, {
    Name: user.name,
    Email: user.email,
    VerifyURL: url,
    Token: token,
  });
  core.event(ctx, 'email_verification_sent', user.id);
}

function verificationSettings(ctx: RequestContext) {
  const settings = authQueries(ctx).emailVerification;
  if (!settings) throw new SogomsError(ErrorCode.NOT_FOUND, 'Email verification is not enabled');
  return settings;
}

function limitPerIp(core: GatewayCore, ctx: RequestContext): void {
  const limits = ctx.app.auth.rateLimit;
  if (!limits.enabled) return;
  const check = core.limiter.hit(
    `${ctx.app.app}\u0000verify\u0000${ctx.ip}`,
    limits.loginPerIp,
    limits.loginPerIpWindowMs,
  );
  if (!check.allowed) throw rateLimited(check.retryAfterS);
}

export const verifyEmail: AuthHandler = async (core, ctx, request, reply) => {
  verificationSettings(ctx);
  limitPerIp(core, ctx);
  const body = requireObject(request.body);
  const token = typeof body.token === 'string' ? readResetToken(body.token, core.now()) : undefined;
  if (!token) throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  const table = '`' + authQueries(ctx).register.table + '`';
  const row = await core.db<Record<string, unknown> | null>(ctx, 'query_one', {
    query: `SELECT email FROM ${table} WHERE id = ?`,
    args: [token.userId],
  });
  const email = row?.email;
  if (typeof email !== 'string') throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  const expected = Buffer.from(verifyMac(ctx.app, token.userId, token.expS, email));
  const given = Buffer.from(token.mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  }
  // Single use: once the address is verified, its links are spent.
  if (await isVerified(core, ctx, token.userId, email)) {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, INVALID_TOKEN);
  }
  await core.db(ctx, 'transaction', {
    statements: [
      { query: 'DELETE FROM sogoms_email_verifications WHERE user_id = ?', args: [token.userId] },
      {
        query: 'INSERT INTO sogoms_email_verifications (user_id, email, verified_at) VALUES (?, ?, ?)',
        args: [token.userId, canonicalEmail(email), core.now()],
      },
    ],
  });
  core.event(ctx, 'email_verified', token.userId);
  sendOk(reply, 200, 'Email vérifié', null);
};

export const resendVerification: AuthHandler = async (core, ctx, request, reply) => {
  verificationSettings(ctx);
  limitPerIp(core, ctx);
  const email = readEmail(requireObject(request.body).email);
  // Per address, whether it has an account or not; past the limit the same 200, without a mail.
  const limits = ctx.app.auth.rateLimit;
  if (limits.enabled) {
    const key = `${ctx.app.app}\u0000verify-mail\u0000${email}`;
    if (!core.limiter.hit(key, limits.verifyPerEmail, limits.verifyPerEmailWindowMs).allowed) {
      sendOk(reply, 200, RESEND_MESSAGE, null);
      return;
    }
  }
  const statements = authStatements(authQueries(ctx));
  const row = await core.db<Record<string, unknown> | null>(ctx, 'query_one', {
    query: statements.login.text,
    args: bind(statements.login, { userId: 0, role: '', email }),
  });
  if (row && (typeof row.email !== 'string' || canonicalEmail(row.email) === email)) {
    const id = userIdOf(row);
    const address = stringOr(row.email, email);
    if (!(await isVerified(core, ctx, id, address))) {
      sendVerification(core, ctx, { id, email: address, name: stringOr(row.name, '') });
    }
  }
  sendOk(reply, 200, RESEND_MESSAGE, null);
};
