// Each app's database state for the `health` action, without a connection per app per check: sogoctl and every
// gateway ask every few seconds, and pinging 200 MariaDB databases each time held 200 connections open. The
// state comes from real traffic (a call that reached the database says it is up; DB_UNAVAILABLE says down);
// MariaDB apps are pinged only when nothing is known, when they were down (to see them come back, at most every
// 5 s) or when not seen for 5 minutes; at most 4 pings at a time, never waiting for a connection (a ping when
// every connection is busy proves nothing the traffic does not), and a ping's own connection is closed after
// it. SQLite files are checked on every call, as before: a stat and a SELECT 1, no connection to hold.
import type { DatabaseSettings } from '@sogoms/config';
import { ErrorCode } from '@sogoms/protocol';
import { NoConnectionFree } from './drivers/mysql.js';
import type { Driver } from './drivers/types.js';
import { mapDriverError } from './errors.js';

/** Upper bound of one ping. */
export const HEALTH_PING_TIMEOUT_MS = 750;
/** How long a health answer waits for its pings; unfinished ones go on and count for the next answer. */
export const HEALTH_ROUND_MS = 300;
/** A MariaDB app without traffic for this long is pinged. */
export const HEALTH_STALE_MS = 5 * 60_000;
/** A MariaDB app last seen down is pinged again after this long (unless its traffic tells first). */
export const HEALTH_DOWN_RECHECK_MS = 5_000;
/** Pings in flight at most, over all apps. */
export const HEALTH_PING_CONCURRENCY = 4;

export interface AppHealth {
  driver: Driver['kind'];
  /** `unknown`: no traffic yet and not pinged yet (a ping is on its way). */
  status: 'ok' | 'down' | 'unknown';
  error?: string;
}

interface Known {
  status: 'ok' | 'down';
  at: number;
  error?: string;
}

type Entry = [app: string, { settings: DatabaseSettings; driver: Driver }];

export class DatabaseHealth {
  private readonly known = new Map<string, Known>();
  private readonly pinging = new Set<string>();
  private inFlight = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** What a call just learnt about the app's database (`err` undefined: it answered). */
  observe(app: string, driver: Driver, err?: unknown): void {
    if (err === undefined) {
      const known = this.known.get(app);
      if (known?.status === 'ok') known.at = this.now();
      else this.known.set(app, { status: 'ok', at: this.now() });
      return;
    }
    const code = mapDriverError(driver.kind, err).code;
    // A timeout says the database is slow or busy, not that it is down.
    if (code === ErrorCode.TIMEOUT) return;
    if (code === ErrorCode.DB_UNAVAILABLE)
      this.known.set(app, { status: 'down', at: this.now(), error: healthError(driver, err) });
    else this.observe(app, driver);
  }

  /** Every app's state, after the pings due now (bounded in number and time). */
  async report(entries: readonly Entry[]): Promise<Record<string, AppHealth>> {
    const present = new Set(entries.map(([app]) => app));
    for (const app of this.known.keys()) if (!present.has(app)) this.known.delete(app);
    const sqlite = entries.filter(([, e]) => e.driver.kind === 'sqlite');
    const due = entries.filter(([app, e]) => e.driver.kind === 'mysql' && this.isDue(app));
    await Promise.all([Promise.all(sqlite.map((entry) => this.ping(entry))), this.pingSome(due)]);
    const apps: Record<string, AppHealth> = {};
    for (const [app, { driver }] of entries) {
      const known = this.known.get(app);
      apps[app] = known
        ? { driver: driver.kind, status: known.status, ...(known.error ? { error: known.error } : {}) }
        : { driver: driver.kind, status: 'unknown' };
    }
    return apps;
  }

  private isDue(app: string): boolean {
    if (this.pinging.has(app)) return false;
    const known = this.known.get(app);
    if (!known) return true;
    const age = this.now() - known.at;
    return age >= (known.status === 'down' ? HEALTH_DOWN_RECHECK_MS : HEALTH_STALE_MS);
  }

  /** Pings `due` at most HEALTH_PING_CONCURRENCY at a time; resolves when done or after HEALTH_ROUND_MS. */
  private pingSome(due: Entry[]): Promise<void> {
    if (due.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let running = 0;
      let over = false;
      const finish = () => {
        over = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(finish, HEALTH_ROUND_MS);
      const next = (): void => {
        while (!over && this.inFlight < HEALTH_PING_CONCURRENCY && due.length > 0) {
          const entry = due.shift()!;
          if (this.pinging.has(entry[0])) continue;
          running++;
          this.inFlight++;
          this.pinging.add(entry[0]);
          void this.ping(entry).finally(() => {
            running--;
            this.inFlight--;
            this.pinging.delete(entry[0]);
            next();
          });
        }
        if (!over && running === 0 && (due.length === 0 || this.inFlight >= HEALTH_PING_CONCURRENCY))
          finish();
      };
      next();
    });
  }

  private async ping([app, { settings, driver }]: Entry): Promise<void> {
    try {
      await driver.ping(Math.min(settings.queryTimeoutMs, HEALTH_PING_TIMEOUT_MS));
      this.observe(app, driver);
    } catch (err) {
      if (err instanceof NoConnectionFree) return;
      // A ping past its deadline is the database not answering: down, unlike a slow statement.
      const mapped = mapDriverError(driver.kind, err);
      this.known.set(app, {
        status: 'down',
        at: this.now(),
        error: mapped.code === ErrorCode.TIMEOUT ? mapped.message : healthError(driver, err),
      });
    }
  }
}

/** The registry message with the driver's error code (never its text, which may name hosts or paths). */
export function healthError(driver: Driver, err: unknown): string {
  const mapped = mapDriverError(driver.kind, err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && err !== mapped ? `${mapped.message} (${code})` : mapped.message;
}
