// The seeded generator behind the bad-input suite: every case derives from one 32-bit seed, printed at start
// and taken from SOGOMS_FUZZ_SEED when set, so any failure replays exactly.

/** The seed of this run: SOGOMS_FUZZ_SEED, else a fresh one; printed either way. */
export function fuzzSeed(suite: string): number {
  const fromEnv = process.env.SOGOMS_FUZZ_SEED;
  const seed =
    fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  console.log(`${suite}: seed ${seed} (replay with SOGOMS_FUZZ_SEED=${seed})`);
  return seed;
}

// Strings that have broken parsers, escapers and drivers before.
const NASTY = [
  '',
  ' ',
  '\u0000',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "'; DROP TABLE tasks; --",
  '" OR 1=1 --',
  '%s%s%s%n',
  '$' + '{jndi:ldap://x}', // log4shell-style lookup, kept out of a template literal
  '{{.Secret}}',
  '../../../../etc/passwd',
  '\r\nX-Injected: 1',
  'a@b.co',
  'user@example.com\r\nBcc: victim@example.com',
  '\ud800',
  '\udfff\ud800',
  '😀👍🏽‍♀️',
  '\u202Egnp.exe',
  '\u200B\u200D\uFEFF',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝕋𝕙𝕖 𝕢𝕦𝕚𝕔𝕜',
  'ꭓ'.repeat(100),
  'x'.repeat(70_000),
  '1e400',
  '18446744073709551616',
  '-0',
  'NaN',
  'Infinity',
];

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, fast, good enough to spread cases. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** A string mixing ASCII, control characters, BMP, astral and lone surrogate code units, or a nasty one. */
  string(maxLength = 40): string {
    if (this.bool(0.25)) return this.pick(NASTY);
    const length = this.int(0, maxLength);
    let s = '';
    for (let i = 0; i < length; i++) {
      const kind = this.int(0, 9);
      if (kind < 5) s += String.fromCharCode(this.int(0x20, 0x7e));
      else if (kind === 5) s += String.fromCharCode(this.int(0, 0x1f));
      else if (kind === 6) s += String.fromCharCode(this.int(0xa0, 0xd7ff));
      else if (kind === 7) s += String.fromCodePoint(this.int(0x1f300, 0x1faff));
      else if (kind === 8) s += String.fromCharCode(this.int(0xd800, 0xdfff));
      else s += this.pick(['"', '\\', '/', "'", '`', '\n', '\u2028']);
    }
    return s;
  }

  /** A number from the edges: huge, tiny, negative, fractional, unsafe integers. */
  number(): number {
    return this.pick([
      0,
      -1,
      1,
      0.5,
      -0.000001,
      2 ** 31,
      2 ** 53,
      2 ** 64,
      -(2 ** 63),
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      this.int(-1_000_000, 1_000_000),
      this.next() * 1e6,
    ]);
  }

  /** Any JSON value, nested up to `depth`. */
  json(depth = 3): unknown {
    const kind = this.int(0, depth > 0 ? 7 : 4);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.bool();
      case 2:
        return this.number();
      case 3:
      case 4:
        return this.string();
      case 5:
        return Array.from({ length: this.int(0, 4) }, () => this.json(depth - 1));
      default: {
        const obj: Record<string, unknown> = {};
        for (let i = this.int(0, 4); i > 0; i--) obj[this.string(12)] = this.json(depth - 1);
        return obj;
      }
    }
  }
}
