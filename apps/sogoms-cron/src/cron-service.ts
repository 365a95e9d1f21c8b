// The sogoms-cron service: every app's cron/{app}.yaml jobs scheduled, the catch-up of missed runs at start,
// and the actions `list` (next run times) and `run` (run now) that `sogoctl cron` calls.
import type { CronJob, PlatformConfig } from '@sogoms/config';
import { type ActionHandler, ErrorCode, type ServiceClient, SogomsError } from '@sogoms/protocol';
import type { Logger, ServiceInstance } from '@sogoms/runtime';
import { createClaims } from './claims.js';
import { createRunner, type RunRecord } from './runner.js';
import { type Clock, createScheduler, previousRun, systemClock } from './scheduler.js';

export interface CronServiceOptions {
  config: PlatformConfig;
  services: { db: ServiceClient; smtp: ServiceClient; logs: ServiceClient };
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The name written in claim rows (default: the machine's host name). */
  host: string;
  clock?: Clock;
  fetch?: typeof fetch;
}

export interface CronJobRow {
  app: string;
  job: string;
  kind: CronJob['action']['kind'];
  schedule: string;
  timezone: string;
  next_run: string | null;
  running: boolean;
  last_run: Pick<RunRecord, 'scheduled_at' | 'outcome' | 'duration_ms' | 'host'> | null;
}

/** Runs still going at stop are waited for this long (their claim rows go stale if the process is killed). */
export const CLOSE_DRAIN_MS = 5_000;

const keyOf = (app: string, job: string) => `${app}/${job}`;

export function createCronService(opts: CronServiceOptions): ServiceInstance & { ready: Promise<void> } {
  const clock = opts.clock ?? systemClock;
  const { logger, services } = opts;
  let config = opts.config;
  const claims = createClaims({ db: services.db, host: opts.host, now: clock.now });
  const runner = createRunner({
    ...services,
    claims,
    clock,
    host: opts.host,
    logger,
    fetch: opts.fetch ?? fetch,
  });
  let jobs = new Map<string, { app: string; job: CronJob }>();
  const inFlight = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>) => {
    inFlight.add(promise);
    promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
  };

  const scheduler = createScheduler(clock, (key, scheduledAt) => {
    const entry = jobs.get(key);
    if (entry) track(runner.run(entry.app, entry.job, scheduledAt, 'schedule'));
  });

  const apply = (next: PlatformConfig) => {
    config = next;
    jobs = new Map();
    for (const [app, appConfig] of Object.entries(next.apps))
      for (const job of Object.values(appConfig.cron ?? {})) jobs.set(keyOf(app, job.name), { app, job });
    scheduler.set(
      [...jobs.entries()].map(([key, { job }]) => ({ key, schedule: job.schedule, timezone: job.timezone })),
    );
  };
  apply(config);

  /** At start, a catch_up job whose last claimed tick is older than its latest due tick runs that tick once. */
  const catchUp = async (): Promise<void> => {
    await Promise.all(
      [...jobs.values()]
        .filter(({ job }) => job.catchUp)
        .map(async ({ app, job }) => {
          try {
            const due = previousRun(job, clock.now());
            const last = await claims.lastScheduled(app, job.name);
            if (!due || !last || last.getTime() >= due.getTime()) return;
            logger.info({ app, job: job.name, missed: due.toISOString() }, 'running a missed run');
            await runner.run(app, job, due, 'catch_up');
          } catch (err) {
            logger.warn({ app, job: job.name, err: (err as Error).message }, 'catch-up check failed');
          }
        }),
    );
  };
  const ready = catchUp();
  track(ready);

  const list: ActionHandler = () => {
    const rows: CronJobRow[] = [];
    for (const [key, { app, job }] of jobs) {
      const last = runner.last(app, job.name);
      rows.push({
        app,
        job: job.name,
        kind: job.action.kind,
        schedule: job.schedule,
        timezone: job.timezone,
        next_run: scheduler.next(key)?.toISOString() ?? null,
        running: runner.isRunning(app, job.name),
        last_run: last
          ? {
              scheduled_at: last.scheduled_at,
              outcome: last.outcome,
              duration_ms: last.duration_ms,
              host: last.host,
            }
          : null,
      });
    }
    return rows;
  };

  const run: ActionHandler = async (params) => {
    const app = typeof params.app === 'string' ? params.app : undefined;
    const name = typeof params.job === 'string' ? params.job : undefined;
    if (!app || !name)
      throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'app and job are required', {
        field: app ? 'job' : 'app',
      });
    if (!config.apps[app]) throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app: ${app.slice(0, 64)}`);
    const entry = jobs.get(keyOf(app, name));
    if (!entry) throw new SogomsError(ErrorCode.NOT_FOUND, `no job ${name.slice(0, 64)} in cron/${app}.yaml`);
    if (runner.isRunning(app, name)) throw new SogomsError(ErrorCode.CONFLICT, 'the job is running');
    // A manual run is its own tick, at this second.
    const at = new Date(Math.floor(clock.now() / 1000) * 1000);
    const promise = runner.run(app, entry.job, at, 'manual');
    track(promise);
    const rec = await promise;
    if (!rec) throw new SogomsError(ErrorCode.CONFLICT, 'another host has just run the job');
    return rec;
  };

  return {
    ready,
    actions: { list, run },
    health: () => ({ jobs: jobs.size, host: opts.host }),
    reload(next) {
      apply(next);
    },
    async close() {
      scheduler.close();
      let cancel = () => {};
      const timeout = new Promise<void>((resolve) => {
        cancel = clock.setTimer(resolve, CLOSE_DRAIN_MS);
      });
      await Promise.race([Promise.allSettled([...inFlight, runner.drain()]), timeout]);
      cancel();
      for (const client of Object.values(services)) client.close();
    },
  };
}
