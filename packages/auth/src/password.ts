// Password hashing with bcrypt (async, so hashing never blocks the event loop). Unknown users are compared
// against a dummy hash of the same cost, so a wrong email and a wrong password take about the same time.
import bcrypt from 'bcrypt';

export const DEFAULT_BCRYPT_COST = 10;
/** bcrypt ignores everything after 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

const dummyHashes = new Map<number, Promise<string>>();

function dummyHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = bcrypt.hash('sogoms-dummy-password', cost);
    dummyHashes.set(cost, hash);
  }
  return hash;
}

/** Hashes a password with the given cost. */
export function hashPassword(plain: string, cost: number = DEFAULT_BCRYPT_COST): Promise<string> {
  return bcrypt.hash(plain, cost);
}

const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * Tells whether the password matches the hash. When the hash is missing or not a bcrypt hash (unknown user),
 * a dummy hash of `cost` is compared instead and the answer is false.
 */
export async function verifyPassword(
  plain: string,
  hash: string | null | undefined,
  cost: number = DEFAULT_BCRYPT_COST,
): Promise<boolean> {
  if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
    await bcrypt.compare(plain, await dummyHash(cost));
    return false;
  }
  // PHP's $2y$ and the original's Go $2a$ hashes are the same algorithm; node's bcrypt only reads $2a$/$2b$.
  const normalized = hash.startsWith('$2y$') ? '$2b$' + hash.slice(4) : hash;
  return bcrypt.compare(plain, normalized);
}

/** Warms the dummy hash so the first unknown-user login does not pay for creating it. */
export async function prepareDummyHash(cost: number = DEFAULT_BCRYPT_COST): Promise<void> {
  await dummyHash(cost);
}

/** Byte length check against bcrypt's 72-byte limit. */
export function passwordTooLong(plain: string): boolean {
  return Buffer.byteLength(plain, 'utf8') > MAX_PASSWORD_BYTES;
}
