// JWT HS256 signing and verification with jose (SPEC §5). Only HS256 is accepted, every claim is checked, and
// any failure becomes a TokenError whose message is one of "Missing token", "Invalid token", "Token expired".
import { randomUUID, webcrypto } from 'node:crypto';
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { TokenError } from './errors.js';

/** What the gateway puts in a token about its user. */
export interface UserClaims {
  sub: number; // user id
  email: string;
  name: string;
  app: string;
  role: string;
  /** The session (refresh-token family) the token belongs to; absent in stateless (`sessions: false`) tokens. */
  sid?: string;
}

/** A verified token's claims. */
export interface TokenClaims extends UserClaims {
  iat: number; // seconds
  exp: number; // seconds
  jti: string;
}

const ALGORITHMS = ['HS256'];
const MAX_CACHED_KEYS = 16;
const keys = new Map<string, Promise<webcrypto.CryptoKey>>();

// Importing the HMAC key costs about as much as the signature itself; a handful of secrets exist per process.
function hmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!);
    key = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    keys.set(secret, key);
  }
  return key;
}

/** Signs a token for the user, valid for expiryMs from now (ms since the epoch, injectable for tests). */
export async function signToken(
  claims: UserClaims,
  secret: string,
  expiryMs: number,
  now: number = Date.now(),
): Promise<string> {
  if (secret.length === 0) throw new Error('cannot sign a token with an empty secret');
  const iat = Math.floor(now / 1000);
  const payload = {
    sub: claims.sub,
    email: claims.email,
    name: claims.name,
    app: claims.app,
    role: claims.role,
    ...(claims.sid === undefined ? {} : { sid: claims.sid }),
    jti: randomUUID(),
  };
  // jose types `sub` as a string (RFC 7519); SOGOMS, like the original, puts the numeric user id there.
  return new SignJWT(payload as unknown as JWTPayload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.ceil(expiryMs / 1000)))
    .sign(await hmacKey(secret));
}

/** Verifies a token for the app; rejects with TokenError. `now` is ms since the epoch. */
export async function verifyToken(
  token: string | undefined | null,
  secret: string,
  app: string,
  now: number = Date.now(),
): Promise<TokenClaims> {
  if (!token) throw new TokenError('missing');
  if (secret.length === 0) throw new TokenError('invalid');
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, await hmacKey(secret), {
      algorithms: ALGORITHMS,
      currentDate: new Date(now),
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (err) {
    throw new TokenError(err instanceof errors.JWTExpired ? 'expired' : 'invalid');
  }
  const claims = asClaims(payload);
  if (!claims || claims.app !== app) throw new TokenError('invalid');
  return claims;
}

// A correctly signed token is still refused when a claim has the wrong type: the gateway trusts these values.
function asClaims(p: Record<string, unknown>): TokenClaims | undefined {
  const { sub, email, name, app, role, iat, exp, jti, sid } = p;
  if (typeof sub !== 'number' || !Number.isSafeInteger(sub) || sub <= 0) return undefined;
  if (typeof email !== 'string' || typeof name !== 'string' || typeof app !== 'string') return undefined;
  if (typeof role !== 'string' || role.length === 0 || typeof jti !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  if (sid !== undefined && (typeof sid !== 'string' || sid.length === 0 || sid.length > 64)) return undefined;
  const claims: TokenClaims = { sub, email, name, app, role, iat, exp, jti };
  if (sid !== undefined) claims.sid = sid;
  return claims;
}
