// What every kind of job gets to run one tick, and what it reports back for the run log.
import type { CronJob } from '@sogoms/config';
import type { ServiceClient } from '@sogoms/protocol';

export interface JobContext {
  app: string;
  job: CronJob;
  scheduledAt: Date;
  /** Values bound to the job's :placeholders (scheduled_at, today, job). */
  values: Readonly<Record<string, string>>;
  /** Epoch ms after which the run has timed out; every call is bounded by what is left. */
  deadline: number;
  signal: AbortSignal;
  now(): number;
  db: ServiceClient;
  smtp: ServiceClient;
  fetch: typeof fetch;
}

export interface JobResult {
  ok: boolean;
  rows?: number;
  mails?: { sent: number; failed: number };
  status?: number;
  /** A short reason when not ok: a code and a fixed text, never a user value. */
  error?: string;
}

/** Milliseconds left before the deadline (at least 1, so that a call fails by its own timeout, not at once). */
export function timeLeft(ctx: JobContext): number {
  return Math.max(1, ctx.deadline - ctx.now());
}

/** A job failure whose message is safe to log and to store in the claim row. */
export class JobError extends Error {
  override name = 'JobError';
}
