// Runs once across hosts: before running a scheduled tick, a host inserts the row (job, scheduled_at) into the
// app's own database through sogoms-db. The primary key lets exactly one insert succeed; the others get
// DB_DUPLICATE and leave the tick to the host that has it. The same table records how each run ended, tells a
// host whether the job is still running elsewhere (no overlap across hosts either), and which tick ran last
// (the catch-up after downtime). The SQL is the same for MariaDB and SQLite.
import { ErrorCode, isSogomsError, type ServiceClient } from '@sogoms/protocol';

export const CLAIM_TABLE = 'sogoms_cron_runs';
/** A 'running' row older than the job's timeout plus this is a host that died mid-run: it no longer blocks. */
export const STALE_MARGIN_MS = 60_000;
const DETAIL_CHARS = 500;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${CLAIM_TABLE} (
  job VARCHAR(64) NOT NULL,
  scheduled_at DATETIME NOT NULL,
  host VARCHAR(255) NOT NULL,
  started_at DATETIME NOT NULL,
  finished_at DATETIME NULL,
  outcome VARCHAR(16) NOT NULL,
  detail VARCHAR(500) NULL,
  PRIMARY KEY (job, scheduled_at)
)`;

export type ClaimResult = 'claimed' | 'taken' | 'busy';

export interface Claims {
  /** Takes the tick for this host: 'taken' when another host has it, 'busy' while the job runs anywhere. */
  claim(app: string, job: string, scheduledAt: Date, staleAfterMs: number): Promise<ClaimResult>;
  finish(app: string, job: string, scheduledAt: Date, outcome: string, detail?: string): Promise<void>;
  /** The last scheduled instant claimed for the job (any host), or null when it never ran. */
  lastScheduled(app: string, job: string): Promise<Date | null>;
}

export interface ClaimsOptions {
  db: ServiceClient;
  host: string;
  now: () => number;
  timeoutMs?: number;
}

/** "YYYY-MM-DD HH:MM:SS" in UTC: how both drivers store and compare DATETIME text (sogoms-db runs in UTC). */
export function sqlTime(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

function fromSqlTime(text: unknown): Date | null {
  if (typeof text !== 'string' || text === '') return null;
  const at = new Date(`${text.slice(0, 19).replace(' ', 'T')}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export function createClaims(opts: ClaimsOptions): Claims {
  const ready = new Map<string, Promise<void>>();
  const call = (action: string, app: string, query: string, args: unknown[]) =>
    opts.db.call(action, { app_id: app, query, args }, { timeoutMs: opts.timeoutMs });

  /** The table is made at first use in each app's database; a failure is retried at the next use. */
  const ensure = (app: string): Promise<void> => {
    let done = ready.get(app);
    if (!done) {
      done = call('update', app, CREATE_TABLE, []).then(() => undefined);
      ready.set(app, done);
      done.catch(() => ready.delete(app));
    }
    return done;
  };

  return {
    async claim(app, job, scheduledAt, staleAfterMs) {
      await ensure(app);
      const now = opts.now();
      const running = await call(
        'query_one',
        app,
        `SELECT host FROM ${CLAIM_TABLE} WHERE job = ? AND outcome = 'running' AND started_at > ?`,
        [job, sqlTime(now - staleAfterMs)],
      );
      if (running) return 'busy';
      try {
        await call(
          'insert',
          app,
          `INSERT INTO ${CLAIM_TABLE} (job, scheduled_at, host, started_at, outcome) VALUES (?, ?, ?, ?, 'running')`,
          [job, sqlTime(scheduledAt), opts.host, sqlTime(now)],
        );
        return 'claimed';
      } catch (err) {
        if (isSogomsError(err) && err.code === ErrorCode.DB_DUPLICATE) return 'taken';
        throw err;
      }
    },
    async finish(app, job, scheduledAt, outcome, detail) {
      await call(
        'update',
        app,
        `UPDATE ${CLAIM_TABLE} SET finished_at = ?, outcome = ?, detail = ? WHERE job = ? AND scheduled_at = ?`,
        [sqlTime(opts.now()), outcome, detail?.slice(0, DETAIL_CHARS) ?? null, job, sqlTime(scheduledAt)],
      );
    },
    async lastScheduled(app, job) {
      await ensure(app);
      const row = (await call(
        'query_one',
        app,
        `SELECT MAX(scheduled_at) AS last FROM ${CLAIM_TABLE} WHERE job = ?`,
        [job],
      )) as { last?: unknown } | null;
      return fromSqlTime(row?.last);
    },
  };
}
