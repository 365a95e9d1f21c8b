// Helpers about user rows and credentials shared by the auth handlers.
import { passwordTooLong } from '@sogoms/auth';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { validationError } from '../http/body.js';

export const DEFAULT_ROLE = 'user';
// RFC 5322 "atext" local part (o'brien@ is valid) and a dotted host name; no quoted local parts, no IP hosts.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
/** RFC 5321's limit on a forward path, as addresses are compared (after normalisation). */
export const MAX_EMAIL_LENGTH = 254;
// Longer raw input is refused before any Unicode work: a real address with its invisible characters fits.
const MAX_RAW_EMAIL_LENGTH = 1024;
// Controls, format characters (zero-width space/joiners, U+FEFF, soft hyphen, bidi marks) and the other
// default-ignorable code points (variation selectors, Hangul fillers): invisible, so never part of an address.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * The form in which addresses are stored and compared: NFKC (full-width and other compatibility forms become
 * ASCII), invisible characters removed, trimmed, lower-cased. "Bob@X.com", "ＢＯＢ@x.com" and "bob\u200b@x.com"
 * are one account; an accented "böb@x.com" stays different (and is refused by the format check).
 */
export function canonicalEmail(raw: string): string {
  return raw.normalize('NFKC').replace(INVISIBLE, '').trim().toLowerCase();
}

/** The body's email in canonical form; 400 when it is missing, not a string or absurdly long. */
export function normalizeEmail(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw validationError('Field "email" is required and must be a non-empty string', { field: 'email' });
  }
  if (raw.length > MAX_RAW_EMAIL_LENGTH) throw invalidEmail();
  return canonicalEmail(raw);
}

export function checkEmailFormat(email: string): void {
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) throw invalidEmail();
}

/** The body's email, canonical and well formed (every auth route takes it this way, before any lookup). */
export function readEmail(raw: unknown): string {
  const email = normalizeEmail(raw);
  checkEmailFormat(email);
  return email;
}

function invalidEmail(): SogomsError {
  return validationError('Field "email" must be a valid email address', { field: 'email' });
}

/** A new password: a string of at least `minLength` characters and at most bcrypt's 72 bytes. */
export function checkNewPassword(raw: unknown, minLength: number): string {
  if (typeof raw !== 'string') {
    throw validationError('Field "password" is required and must be a string', { field: 'password' });
  }
  if ([...raw].length < minLength) {
    throw validationError(`Password must be at least ${minLength} characters long`, { field: 'password' });
  }
  if (passwordTooLong(raw)) {
    throw validationError('Password must be at most 72 bytes long', { field: 'password' });
  }
  return raw;
}

/**
 * A login password: a string of at most bcrypt's 72 bytes. bcrypt ignores what follows them, so a longer one
 * would log in with any suffix; none can have been registered, so it is refused (400) like at registration.
 */
export function checkLoginPassword(raw: unknown): string {
  if (typeof raw !== 'string') {
    throw validationError('Field "password" is required and must be a string', { field: 'password' });
  }
  if (passwordTooLong(raw)) {
    throw validationError('Password must be at most 72 bytes long', { field: 'password' });
  }
  return raw;
}

/** A row's id as the token's `sub`; the driver may return a BIGINT as a string. */
export function userIdOf(row: Record<string, unknown>): number {
  const id = typeof row.id === 'string' && /^[0-9]+$/.test(row.id) ? Number(row.id) : row.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new SogomsError(ErrorCode.INTERNAL_ERROR, 'user row has no positive integer id');
  }
  return id;
}

export function roleOf(row: Record<string, unknown>): string {
  return typeof row.role === 'string' && row.role !== '' ? row.role : DEFAULT_ROLE;
}

/** The row as sent to the client: never the password hash. */
export function publicUser(row: Record<string, unknown>): Record<string, unknown> {
  const { password: _hash, ...user } = row;
  return user;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
