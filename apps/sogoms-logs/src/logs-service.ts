// sogoms-logs (SPEC §7): log_event and log_error append one JSON line to {logdir}/{app}-{YYYYMMDD}-{type}.log
// and answer only once the line is in the file; old files are swept at start and hourly.
import { mkdir } from 'node:fs/promises';
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
}

/** Creates the service: makes the log directory, runs a first retention sweep, starts the hourly one. */
export async function createLogsService(opts: LogsServiceOptions): Promise<LogsService> {
  const clock = opts.clock ?? (() => new Date());
  const { logdir, logger } = opts;
  let config = opts.config;
  await mkdir(logdir, { recursive: true });
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

  const write = async (entry: LogEntry): Promise<{ written: true }> => {
    const now = clock();
    const line = `${JSON.stringify({ ts: localIsoTimestamp(now), ...entry.fields })}\n`;
    try {
      await files.append(entry.app, localDay(now), entry.type, line);
    } catch (err) {
      logger.error({ err: String(err), app: entry.app, type: entry.type }, 'log line not written');
      throw err;
    }
    return { written: true };
  };

  const actions: Record<string, ActionHandler> = {
    log_event: async (params, ctx) => write(eventEntry(params, ctx.id)),
    log_error: async (params, ctx) => write(errorEntry(params, ctx.id)),
  };

  return {
    actions,
    sweep,
    // writes well below lines_written shows the batching at work.
    health: () => ({
      logdir,
      open_files: files.openCount,
      lines_written: files.stats.lines,
      writes: files.stats.writes,
    }),
    async reload(next) {
      config = next;
      await sweepLogged();
    },
    async close() {
      clearInterval(timer);
      await files.close();
    },
  };
}
