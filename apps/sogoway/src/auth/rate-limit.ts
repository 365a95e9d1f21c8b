// In-memory fixed-window counters for the auth rate limits (SPEC §5). A fixed window is exact about when the
// client may retry (the window's end is the Retry-After), needs one counter per key, and allows at most twice
// the limit across a window boundary — acceptable for brute-force protection. Counters live in this process:
// with several gateway instances each enforces its own limits.
//
// Memory is bounded whatever the callers send: a key longer than MAX_KEY_CHARS is stored as its SHA-256, and
// at most `maxKeys` windows are kept. Expired windows are swept every SWEEP_EVERY operations (never a scan per
// request, even when full). A new key in a full table evicts the oldest window (the Map keeps windows in the
// order they started) unless it is refusing, so that a lockout survives a flood of fresh keys; if the
// EVICT_TRIES oldest all refuse, the oldest goes anyway.
import { createHash } from 'node:crypto';
import { ErrorCode, SogomsError } from '@sogoms/protocol';

interface Window {
  count: number;
  resetAt: number; // ms
  limit: number; // of the last hit: a window at or over it is refusing
}

/** 50,000 windows with keys of at most 64 characters: under 10 MiB of heap when full. */
export const DEFAULT_MAX_KEYS = 50_000;
export const MAX_KEY_CHARS = 64;
const SWEEP_EVERY = 1024; // operations between sweeps of expired windows
const EVICT_TRIES = 8; // refusing windows moved to the back before the oldest is evicted anyway

export interface LimitCheck {
  allowed: boolean;
  /** Seconds until the window ends (for Retry-After), at least 1. */
  retryAfterS: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private ops = 0;

  constructor(
    private readonly now: () => number,
    readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {}

  /** Counts one hit for `key` and tells whether it is within `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): LimitCheck {
    const w = this.current(storedKey(key), windowMs);
    w.count++;
    w.limit = limit;
    return this.verdict(w, w.count <= limit);
  }

  /** Tells whether `key` is still under `limit` without counting. */
  check(key: string, limit: number, windowMs: number): LimitCheck {
    const w = this.windows.get(storedKey(key));
    const now = this.now();
    if (!w || now >= w.resetAt) return { allowed: true, retryAfterS: Math.ceil(windowMs / 1000) };
    return this.verdict(w, w.count < limit);
  }

  /** Forgets `key` (a successful login clears its failures). */
  reset(key: string): void {
    this.windows.delete(storedKey(key));
  }

  get size(): number {
    return this.windows.size;
  }

  private current(key: string, windowMs: number): Window {
    const now = this.now();
    if (++this.ops >= SWEEP_EVERY) this.sweep(now);
    let w = this.windows.get(key);
    if (w && now < w.resetAt) return w;
    // A new window goes to the back of the Map's order, which is therefore the order of window starts.
    if (w) this.windows.delete(key);
    else if (this.windows.size >= this.maxKeys) this.makeRoom(now);
    w = { count: 0, resetAt: now + windowMs, limit: Number.POSITIVE_INFINITY };
    this.windows.set(key, w);
    return w;
  }

  private makeRoom(now: number): void {
    for (let tries = 0; this.windows.size >= this.maxKeys; tries++) {
      const [key, w] = this.windows.entries().next().value!;
      this.windows.delete(key);
      if (tries < EVICT_TRIES && now < w.resetAt && w.count >= w.limit) this.windows.set(key, w);
    }
  }

  private verdict(w: Window, allowed: boolean): LimitCheck {
    return { allowed, retryAfterS: Math.max(1, Math.ceil((w.resetAt - this.now()) / 1000)) };
  }

  private sweep(now: number): void {
    this.ops = 0;
    for (const [key, w] of this.windows) if (now >= w.resetAt) this.windows.delete(key);
  }
}

// Keys embed client values (addresses, emails): a long one is kept as a fixed-size digest.
function storedKey(key: string): string {
  if (key.length <= MAX_KEY_CHARS) return key;
  return '#' + createHash('sha256').update(key).digest('base64');
}

/** The 429 error; the handler turns `retryAfterS` into the Retry-After header. */
export function rateLimited(retryAfterS: number): SogomsError {
  return new SogomsError(ErrorCode.RATE_LIMITED, 'Too many requests, retry later', { retryAfterS });
}
