import { describe, expect, it } from 'vitest';
import { hashPassword, passwordTooLong, verifyPassword } from '../src/index.js';

// Cost 4 is bcrypt's minimum: the behaviour under test does not depend on the cost.
const COST = 4;

describe('hashPassword / verifyPassword', () => {
  it('hashes with the given cost and verifies', async () => {
    const hash = await hashPassword('correct horse', COST);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await verifyPassword('correct horse', hash, COST)).toBe(true);
    expect(await verifyPassword('wrong horse', hash, COST)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', COST)).not.toBe(await hashPassword('same', COST));
  });

  it('answers false for a missing or non-bcrypt hash (unknown user) after a dummy compare', async () => {
    expect(await verifyPassword('x', undefined, COST)).toBe(false);
    expect(await verifyPassword('x', null, COST)).toBe(false);
    expect(await verifyPassword('x', 'plaintext', COST)).toBe(false);
  });

  it('accepts $2y$ and $2a$ hashes made by other implementations', async () => {
    const hash = await hashPassword('pw-123456', COST);
    expect(await verifyPassword('pw-123456', '$2y$' + hash.slice(4), COST)).toBe(true);
    expect(await verifyPassword('pw-123456', '$2a$' + hash.slice(4), COST)).toBe(true);
  });

  it('flags passwords longer than 72 bytes', () => {
    expect(passwordTooLong('a'.repeat(72))).toBe(false);
    expect(passwordTooLong('a'.repeat(73))).toBe(true);
    expect(passwordTooLong('é'.repeat(37))).toBe(true);
  });
});
