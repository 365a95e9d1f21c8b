// Bearer tokens on requests, and password-reset tokens.
//
// Reset tokens are stateless: `<user id>.<expiry s>.<HMAC>` where the HMAC (keyed from the app's JWT secret)
// covers the app, the user id, the expiry and the user's *current password hash*. Setting a new password
// changes the hash (bcrypt salts every hash), so a token stops working once used, and every other token issued
// before it too; the reset UPDATE is also conditioned on the old hash, so two concurrent uses cannot both
// succeed. Nothing is stored: tokens survive gateway restarts and work across gateway instances.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type TokenClaims, TokenError } from '@sogoms/auth';
import type { AppConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { GatewayCore, RequestContext } from '../core.js';
import { checkSession } from './sessions.js';

export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
const RESET_KEY_LABEL = 'sogoms password reset v1';
const RESET_TOKEN = /^([1-9][0-9]{0,15})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The verified claims of the request's bearer token, or 401 with "Missing token" / "Invalid token" / "Token
 * expired" / "Session ended" (sessions.ts: revoked, expired, user gone or of another role).
 */
export async function requireUser(
  core: GatewayCore,
  ctx: RequestContext,
  authorization: string | undefined,
): Promise<TokenClaims> {
  const { app } = ctx;
  let token: string | undefined;
  if (authorization !== undefined && authorization !== '') {
    const space = authorization.indexOf(' ');
    if (space === -1 || authorization.slice(0, space).toLowerCase() !== 'bearer') {
      throw new SogomsError(ErrorCode.UNAUTHORIZED, 'Invalid token');
    }
    token = authorization.slice(space + 1).trim();
  }
  let claims: TokenClaims;
  try {
    claims = await core.verifier(app).verify(token, app.app);
  } catch (err) {
    if (err instanceof TokenError) throw new SogomsError(ErrorCode.UNAUTHORIZED, err.message);
    throw err;
  }
  await checkSession(core, ctx, claims);
  return claims;
}

function resetMac(app: AppConfig, userId: number, expS: number, passwordHash: string): string {
  // A key of its own, derived from the JWT secret, so a reset MAC can never be confused with a JWT signature.
  const key = createHmac('sha256', app.auth.jwtSecret).update(RESET_KEY_LABEL).digest();
  return createHmac('sha256', key)
    .update(`${app.app}\n${userId}\n${expS}\n${passwordHash}`)
    .digest('base64url');
}

/** A reset token for the user, valid RESET_TOKEN_TTL_MS from `now` and only while the password is unchanged. */
export function createResetToken(app: AppConfig, userId: number, passwordHash: string, now: number): string {
  const expS = Math.floor((now + RESET_TOKEN_TTL_MS) / 1000);
  return `${userId}.${expS}.${resetMac(app, userId, expS, passwordHash)}`;
}

/** The user id a well-formed, unexpired token names (its MAC is checked later against the stored hash). */
export function readResetToken(
  token: string,
  now: number,
): { userId: number; expS: number; mac: string } | undefined {
  const match = RESET_TOKEN.exec(token);
  if (!match) return undefined;
  const userId = Number(match[1]);
  const expS = Number(match[2]);
  if (!Number.isSafeInteger(userId) || now >= expS * 1000) return undefined;
  return { userId, expS, mac: match[3]! };
}

/** Whether the token's MAC matches the user's current password hash. */
export function resetTokenMatches(
  app: AppConfig,
  token: { userId: number; expS: number; mac: string },
  passwordHash: string,
): boolean {
  const expected = Buffer.from(resetMac(app, token.userId, token.expS, passwordHash));
  const given = Buffer.from(token.mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
