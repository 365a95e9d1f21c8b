// sogoms-logs (SPEC §7): log_event and log_error append one JSON line to {logdir}/{app}-{YYYYMMDD}-{type}.log
// and answer only once the line is in the file; old files are swept at start and hourly. `health` answers
// `status: "degraded"` while lines cannot be written; SIGHUP reopens the files (external log rotation).
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import type { PlatformConfig } from '@sogoms/config';
import type { ActionHandler, MinimalLogger } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import { errorEntry, eventEntry, type LogEntry } from './entries.js';
import { localDay, localIsoTimestamp } from './file-names.js';
import { LogFiles } from './log-files.js';
import { RETENTION_INTERVAL_MS, type SweepResult, sweepLogDir } from './retention.js';

export const DEFAULT_LOGDIR = '/var/log/sogoms';

export interface LogsServiceOptions {
  config: PlatformConfig;
  logdir: string;
  logger: MinimalLogger;
  /** The time of each line and of retention; tests move it past midnight. */
  clock?: () => Date;
  retentionIntervalMs?: number;
}

export interface LogsService extends ServiceInstance {
  /** Runs retention now (it also runs at start and every hour). */
  sweep(): Promise<SweepResult>;
  /** Closes every open log file so that the next line opens its path again (what SIGHUP does). */
  reopen(): Promise<void>;
}

/** A reason the service cannot write lines, as `health` reports it. */
export interface LogProblem {
  path: string;
  /** errno code: ENOTDIR, EACCES, EROFS, ENOSPC, EISDIR... */
  error: string;
  /** When a write to this file first failed (absent for the directory check). */
  since?: string;
}

/**
 * Creates the service: makes the log directory, runs a first retention sweep, starts the hourly one, reopens
 * the files on SIGHUP. A log directory that cannot be made does not stop the start: the service runs degraded
 * (health says so, each line answers LOG_WRITE_ERROR) rather than crash-looping and taking its dependents down.
 */
export async function createLogsService(opts: LogsServiceOptions): Promise<LogsService> {
  const clock = opts.clock ?? (() => new Date());
  const { logdir, logger } = opts;
  let config = opts.config;
  const startProblem = await logdirProblem(logdir);
  if (startProblem) logger.error({ ...startProblem }, 'log directory not writable, lines will be refused');
  const files = new LogFiles(logdir);

  const sweep = async (): Promise<SweepResult> => {
    const result = await sweepLogDir({ logdir, config, now: clock(), isOpen: (name) => files.isOpen(name) });
    if (result.removed.length > 0) logger.info({ removed: result.removed }, 'expired log files deleted');
    if (result.failed.length > 0) logger.warn({ failed: result.failed }, 'expired log files not deleted');
    return result;
  };
  const sweepLogged = () =>
    sweep().catch((err: unknown) => logger.error({ err: String(err), logdir }, 'retention sweep failed'));

  await sweepLogged();
  const timer = setInterval(sweepLogged, opts.retentionIntervalMs ?? RETENTION_INTERVAL_MS);
  timer.unref();

  // Logged when an {app, type} starts failing and when it recovers, not once per refused line.
  const failing = new Set<string>();
  const write = async (entry: LogEntry): Promise<{ written: true }> => {
    const now = clock();
    const line = `${JSON.stringify({ ts: localIsoTimestamp(now), ...entry.fields })}\n`;
    const key = `${entry.app}/${entry.type}`;
    try {
      await files.append(entry.app, localDay(now), entry.type, line);
    } catch (err) {
      if (!failing.has(key)) {
        failing.add(key);
        logger.error({ err: String(err), app: entry.app, type: entry.type }, 'log lines not written');
      }
      throw err;
    }
    if (failing.delete(key)) logger.info({ app: entry.app, type: entry.type }, 'log lines written again');
    return { written: true };
  };

  const reopen = async (): Promise<void> => {
    await files.reopen();
    logger.info({ logdir }, 'log files reopened');
  };
  const onSighup = () => void reopen();
  process.on('SIGHUP', onSighup);

  const actions: Record<string, ActionHandler> = {
    log_event: async (params, ctx) => write(eventEntry(params, ctx.id)),
    log_error: async (params, ctx) => write(errorEntry(params, ctx.id)),
  };

  return {
    actions,
    sweep,
    reopen,
    // Still a success answer when degraded: sogoctl keeps the process (a restart would not fix the directory).
    // writes well below lines_written shows the batching at work.
    health: async () => {
      const dirProblem = await logdirProblem(logdir);
      const problems: LogProblem[] = [...(dirProblem ? [dirProblem] : []), ...files.problems()];
      return {
        ...(problems.length > 0 ? { status: 'degraded', problems } : {}),
        logdir,
        open_files: files.openCount,
        lines_written: files.stats.lines,
        writes: files.stats.writes,
      };
    },
    async reload(next) {
      config = next;
      await sweepLogged();
    },
    async close() {
      process.off('SIGHUP', onSighup);
      clearInterval(timer);
      await files.close();
    },
  };
}

/** Makes the log directory if it is missing; why lines could not be created in it, or undefined. */
async function logdirProblem(logdir: string): Promise<LogProblem | undefined> {
  try {
    const st = await stat(logdir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st && !st.isDirectory()) return { path: logdir, error: 'ENOTDIR' };
    if (!st) await mkdir(logdir, { recursive: true });
    // W_OK also catches a read-only file system (EROFS), which binds root too.
    await access(logdir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return { path: logdir, error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}
