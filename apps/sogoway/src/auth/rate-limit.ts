// In-memory fixed-window counters for the auth rate limits (SPEC §5). A fixed window is exact about when the
// client may retry (the window's end is the Retry-After), needs one counter per key, and allows at most twice
// the limit across a window boundary — acceptable for brute-force protection. Counters live in this process:
// with several gateway instances each enforces its own limits.
import { ErrorCode, SogomsError } from '@sogoms/protocol';

interface Window {
  count: number;
  resetAt: number; // ms
}

const SWEEP_EVERY = 1024; // operations between sweeps of expired windows
const MAX_KEYS = 100_000; // past this, expired windows are swept at once

export interface LimitCheck {
  allowed: boolean;
  /** Seconds until the window ends (for Retry-After), at least 1. */
  retryAfterS: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private ops = 0;

  constructor(private readonly now: () => number) {}

  /** Counts one hit for `key` and tells whether it is within `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number): LimitCheck {
    const w = this.current(key, windowMs);
    w.count++;
    return this.verdict(w, w.count <= limit);
  }

  /** Tells whether `key` is still under `limit` without counting (e.g. failed logins before a login). */
  check(key: string, limit: number, windowMs: number): LimitCheck {
    const w = this.windows.get(key);
    const now = this.now();
    if (!w || now >= w.resetAt) return { allowed: true, retryAfterS: Math.ceil(windowMs / 1000) };
    return this.verdict(w, w.count < limit);
  }

  /** Forgets `key` (a successful login clears its failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private current(key: string, windowMs: number): Window {
    const now = this.now();
    if (++this.ops >= SWEEP_EVERY || this.windows.size >= MAX_KEYS) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    return w;
  }

  private verdict(w: Window, allowed: boolean): LimitCheck {
    return { allowed, retryAfterS: Math.max(1, Math.ceil((w.resetAt - this.now()) / 1000)) };
  }

  private sweep(now: number): void {
    this.ops = 0;
    for (const [key, w] of this.windows) if (now >= w.resetAt) this.windows.delete(key);
  }
}

/** The 429 error; the handler turns `retryAfterS` into the Retry-After header. */
export function rateLimited(retryAfterS: number): SogomsError {
  return new SogomsError(ErrorCode.RATE_LIMITED, 'Too many requests, retry later', { retryAfterS });
}
