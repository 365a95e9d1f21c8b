// Helpers about user rows and credentials shared by the auth handlers.
import { passwordTooLong } from '@sogoms/auth';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { validationError } from '../http/body.js';

export const DEFAULT_ROLE = 'user';
// RFC 5322 "atext" local part (o'brien@ is valid) and a dotted host name; no quoted local parts, no IP hosts.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const MAX_EMAIL_LENGTH = 254;

/** Emails are compared trimmed and lower-cased, so "Bob@X.com" and "bob@x.com" are one account. */
export function normalizeEmail(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw validationError('Field "email" is required and must be a non-empty string', { field: 'email' });
  }
  return raw.trim().toLowerCase();
}

export function checkEmailFormat(email: string): void {
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw validationError('Field "email" must be a valid email address', { field: 'email' });
  }
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
