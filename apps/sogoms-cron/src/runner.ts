// The life of one run: no overlap with the same job (in this process, and across hosts through the claim row),
// the claim of the tick, the job under its timeout, the claim row closed, and one line in sogoms-logs.
import type { CronJob } from '@sogoms/config';
import { isSogomsError, type ServiceClient } from '@sogoms/protocol';
import type { Logger } from '@sogoms/runtime';
import { type Claims, STALE_MARGIN_MS } from './claims.js';
import { runHttpJob } from './jobs/http.js';
import { runMailJob } from './jobs/mail.js';
import { runSqlJob } from './jobs/sql.js';
import { type JobContext, JobError, type JobResult } from './jobs/types.js';
import type { Clock } from './scheduler.js';

export type Trigger = 'schedule' | 'catch_up' | 'manual';
export type Outcome = 'ok' | 'failed' | 'timeout' | 'skipped';

/** What a run did: the sogoms-logs event `cron_run`, the answer of `run`, the last run in `list`. */
export interface RunRecord {
  app: string;
  job: string;
  kind: CronJob['action']['kind'];
  trigger: Trigger;
  host: string;
  scheduled_at: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  outcome: Outcome;
  rows?: number;
  mails?: { sent: number; failed: number };
  status?: number;
  error?: string;
}

export interface RunnerDeps {
  db: ServiceClient;
  smtp: ServiceClient;
  logs: ServiceClient;
  claims: Claims;
  clock: Clock;
  host: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  fetch: typeof fetch;
}

export interface Runner {
  /**
   * Runs the tick unless the job is running (outcome skipped) or another host claimed it (undefined: that host
   * runs and logs it).
   */
  run(app: string, job: CronJob, scheduledAt: Date, trigger: Trigger): Promise<RunRecord | undefined>;
  isRunning(app: string, job: string): boolean;
  last(app: string, job: string): RunRecord | undefined;
  /** Resolves once every run in flight has ended. */
  drain(): Promise<void>;
}

const ERROR_CHARS = 300;

/** The date of `at` in a time zone, YYYY-MM-DD (the `:today` of a job). */
export function dateIn(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(at)
    .slice(0, 10);
}

export function createRunner(deps: RunnerDeps): Runner {
  const running = new Map<string, Promise<unknown>>();
  const lastRuns = new Map<string, RunRecord>();
  const keyOf = (app: string, job: string) => `${app}/${job}`;
  const iso = (ms: number) => new Date(ms).toISOString();

  const record = (rec: RunRecord): RunRecord => {
    lastRuns.set(keyOf(rec.app, rec.job), rec);
    const level = rec.outcome === 'ok' ? 'info' : 'warn';
    const { app, ...fields } = rec;
    deps.logger[level]({ app, ...fields }, `cron run ${rec.outcome}`);
    deps.logs.call('log_event', { app_id: app, event: 'cron_run', data: fields }).catch((err: unknown) => {
      deps.logger.warn({ app, job: rec.job, code: codeOf(err) }, 'cannot write the run to sogoms-logs');
    });
    if (rec.outcome === 'failed' || rec.outcome === 'timeout') {
      const message = `cron job ${rec.job} ${rec.outcome}: ${rec.error ?? ''}`.slice(0, ERROR_CHARS);
      deps.logs
        .call('log_error', {
          app_id: app,
          level: 'error',
          message,
          context: { job: rec.job, trigger: rec.trigger },
        })
        .catch(() => undefined);
    }
    return rec;
  };

  const execute = async (app: string, job: CronJob, scheduledAt: Date, trigger: Trigger) => {
    const { clock } = deps;
    const base = {
      app,
      job: job.name,
      kind: job.action.kind,
      trigger,
      host: deps.host,
      scheduled_at: scheduledAt.toISOString(),
    };
    const started = clock.now();
    const done = (outcome: Outcome, result: Partial<JobResult> = {}): RunRecord => {
      const finished = clock.now();
      const rec: RunRecord = {
        ...base,
        started_at: iso(started),
        finished_at: iso(finished),
        duration_ms: finished - started,
        outcome,
      };
      if (result.rows !== undefined) rec.rows = result.rows;
      if (result.mails) rec.mails = result.mails;
      if (result.status !== undefined) rec.status = result.status;
      if (result.error) rec.error = result.error.slice(0, ERROR_CHARS);
      return rec;
    };

    let claim: Awaited<ReturnType<Claims['claim']>>;
    try {
      claim = await deps.claims.claim(app, job.name, scheduledAt, job.timeoutMs + STALE_MARGIN_MS);
    } catch (err) {
      // Without a claim the run cannot be known to happen once: it does not happen.
      return record(done('failed', { error: `cannot claim the run: ${describe(err)}` }));
    }
    if (claim === 'taken') return undefined;
    if (claim === 'busy') return record(done('skipped', { error: 'still running on another host' }));

    const controller = new AbortController();
    const ctx: JobContext = {
      app,
      job,
      scheduledAt,
      values: {
        scheduled_at: scheduledAt.toISOString().slice(0, 19).replace('T', ' '),
        today: dateIn(scheduledAt, job.timezone),
        job: job.name,
      },
      deadline: started + job.timeoutMs,
      signal: controller.signal,
      now: clock.now,
      db: deps.db,
      smtp: deps.smtp,
      fetch: deps.fetch,
    };
    let cancelTimer = () => {};
    const timedOut = new Promise<'timeout'>((resolve) => {
      cancelTimer = clock.setTimer(() => {
        controller.abort();
        resolve('timeout');
      }, job.timeoutMs);
    });
    const work = runAction(ctx).then(
      (result) => result,
      (err: unknown): JobResult => ({ ok: false, error: describe(err) }),
    );
    const first = await Promise.race([work, timedOut]);
    cancelTimer();
    const rec =
      first === 'timeout'
        ? done('timeout', { error: `no answer within ${job.timeoutMs} ms` })
        : done(first.ok ? 'ok' : 'failed', first);
    // The job may still be settling after a timeout (its calls are bounded by the same deadline): it stays
    // "running" until then, so that the next tick cannot overlap it.
    await work;
    try {
      await deps.claims.finish(app, job.name, scheduledAt, rec.outcome, rec.error);
    } catch (err) {
      deps.logger.warn({ app, job: job.name, code: codeOf(err) }, 'cannot record the end of the run');
    }
    return record(rec);
  };

  return {
    async run(app, job, scheduledAt, trigger) {
      const key = keyOf(app, job.name);
      if (running.has(key)) {
        const now = deps.clock.now();
        return record({
          app,
          job: job.name,
          kind: job.action.kind,
          trigger,
          host: deps.host,
          scheduled_at: scheduledAt.toISOString(),
          started_at: new Date(now).toISOString(),
          finished_at: new Date(now).toISOString(),
          duration_ms: 0,
          outcome: 'skipped',
          error: 'the previous run is still running',
        });
      }
      const promise = execute(app, job, scheduledAt, trigger);
      running.set(key, promise);
      try {
        return await promise;
      } finally {
        running.delete(key);
      }
    },
    isRunning: (app, job) => running.has(keyOf(app, job)),
    last: (app, job) => lastRuns.get(keyOf(app, job)),
    async drain() {
      await Promise.allSettled([...running.values()]);
    },
  };
}

function runAction(ctx: JobContext): Promise<JobResult> {
  const action = ctx.job.action;
  switch (action.kind) {
    case 'sql':
      return runSqlJob(ctx, action);
    case 'mail':
      return runMailJob(ctx, action);
    case 'http':
      return runHttpJob(ctx, action);
  }
}

/** A failure as a short, user-value-free text: the registry code and fixed message, or the job's own reason. */
function describe(err: unknown): string {
  if (isSogomsError(err)) return `${err.code}: ${err.message}`.slice(0, ERROR_CHARS);
  if (err instanceof JobError) return err.message.slice(0, ERROR_CHARS);
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) return 'aborted';
  if (err instanceof TypeError)
    return `request failed: ${String((err.cause as Error | undefined)?.message ?? err.message).slice(0, 100)}`;
  return 'internal error';
}

function codeOf(err: unknown): string {
  return isSogomsError(err) ? String(err.code) : 'error';
}
