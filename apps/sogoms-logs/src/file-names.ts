// Log file names `{app}-{YYYYMMDD}-{type}.log` (SPEC §7) and the local-time stamps written in them.

export type LogType = 'events' | 'errors';

/** An app id usable inside a file name: the config's app-name rule, bounded, no path separators or dots. */
export const SAFE_APP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const LOG_FILE = /^(.+)-(\d{8})-(events|errors)\.log$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The process's local date of `date` as YYYYMMDD (the container runs in UTC). */
export function localDay(date: Date): string {
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
}

/**
 * ISO 8601 in the process's local time with its offset ("Z" when UTC), so that the date of `ts` is always the
 * date in the file name, whatever the time zone.
 */
export function localIsoTimestamp(date: Date): string {
  const offsetMin = -date.getTimezoneOffset();
  const wall = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function logFileName(app: string, day: string, type: LogType): string {
  return `${app}-${day}-${type}.log`;
}

/** The parts of a log file name, or undefined for any other file (which retention never touches). */
export function parseLogFileName(name: string): { app: string; day: string; type: LogType } | undefined {
  const match = LOG_FILE.exec(name);
  if (!match || !SAFE_APP_ID.test(match[1]!)) return undefined;
  return { app: match[1]!, day: match[2]!, type: match[3] as LogType };
}

/** YYYYMMDD of the local day `days` days before `date` (calendar days, so DST changes do not matter). */
export function dayBefore(date: Date, days: number): string {
  return localDay(new Date(date.getFullYear(), date.getMonth(), date.getDate() - days));
}
