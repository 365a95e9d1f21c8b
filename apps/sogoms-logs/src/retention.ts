// Retention (SPEC §7): log files of a day older than the app's logs.retention_days are deleted. Only names of
// the form {app}-{YYYYMMDD}-{events|errors}.log are considered; every other file is left alone.
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_RETENTION_DAYS, type PlatformConfig } from '@sogoms/config';
import { dayBefore, parseLogFileName } from './file-names.js';

/** How often the sweep runs after the one at start. */
export const RETENTION_INTERVAL_MS = 3_600_000;

export interface SweepOptions {
  logdir: string;
  config: PlatformConfig;
  now: Date;
  /** Files the process holds open are skipped: unlinking them would lose the lines still to come. */
  isOpen(name: string): boolean;
}

export interface SweepResult {
  removed: string[];
  /** Names that could not be deleted, with the reason (one bad entry does not stop the sweep). */
  failed: { name: string; reason: string }[];
}

/** Deletes the expired log files. Apps unknown to the config get the default retention. */
export async function sweepLogDir(opts: SweepOptions): Promise<SweepResult> {
  const names = await readdir(opts.logdir);
  const result: SweepResult = { removed: [], failed: [] };
  for (const name of names) {
    const parsed = parseLogFileName(name);
    if (!parsed || opts.isOpen(name)) continue;
    // hasOwn: an app id such as "constructor" must not find Object.prototype's members.
    const app = Object.hasOwn(opts.config.apps, parsed.app) ? opts.config.apps[parsed.app] : undefined;
    const days = app?.logs.retentionDays ?? DEFAULT_RETENTION_DAYS;
    // A file of day D holds lines up to D+1 00:00; it is older than N days once D is before today - N.
    if (parsed.day >= dayBefore(opts.now, days)) continue;
    try {
      await unlink(join(opts.logdir, name));
      result.removed.push(name);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'error';
      // Another instance sweeping the same directory may have removed it first.
      if (reason !== 'ENOENT') result.failed.push({ name, reason });
    }
  }
  return result;
}
