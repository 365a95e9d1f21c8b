// One driver per app, built from routes/{app}.yaml; a reload keeps the drivers whose settings did not change
// and retires the others once their statements in flight have finished (SPEC §3 reload, §6).
import type { DatabaseSettings, PlatformConfig } from '@sogoms/config';
import type { ConnectionBudget } from './drivers/connection-budget.js';
import { createMysqlDriver } from './drivers/mysql.js';
import { createSqliteDriver, type DriverEventListener } from './drivers/sqlite.js';
import type { Driver } from './drivers/types.js';

export interface RegistryEntry {
  settings: DatabaseSettings;
  driver: Driver;
}

/** The driver the settings ask for: a MariaDB pool under the process's budget, or a SQLite file. */
export function createDriver(
  settings: DatabaseSettings,
  onEvent?: DriverEventListener,
  budget?: ConnectionBudget,
): Driver {
  return settings.driver === 'sqlite'
    ? createSqliteDriver(settings, onEvent)
    : createMysqlDriver(settings, budget);
}

export class DriverRegistry {
  private entries = new Map<string, RegistryEntry>();
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    config: PlatformConfig,
    private readonly onCloseError: (app: string, err: unknown) => void,
    /** What a driver reports to the operator (a SQLite file deleted or replaced under the service). */
    private readonly onDriverEvent: (app: string, message: string) => void = () => undefined,
    /** The cap on MariaDB connections shared by every app's pool. */
    private readonly budget?: ConnectionBudget,
  ) {
    this.entries = this.build(config);
  }

  get(app: string): Driver | undefined {
    return this.entries.get(app)?.driver;
  }

  list(): [string, RegistryEntry][] {
    return [...this.entries];
  }

  /** Swaps in the drivers of a new configuration at once; calls already running finish on the old ones. */
  reload(config: PlatformConfig): void {
    const next = this.build(config);
    const previous = this.entries;
    this.entries = next;
    for (const [app, entry] of previous) {
      if (next.get(app)?.driver !== entry.driver) this.retire(app, entry.driver);
    }
  }

  /** Closes every driver, and waits for the ones retired by a reload. */
  async close(): Promise<void> {
    const current = this.entries;
    this.entries = new Map();
    for (const [app, entry] of current) this.retire(app, entry.driver);
    await Promise.all(this.retiring);
  }

  private build(config: PlatformConfig): Map<string, RegistryEntry> {
    const next = new Map<string, RegistryEntry>();
    const created: Driver[] = [];
    try {
      for (const [app, appConfig] of Object.entries(config.apps)) {
        const settings = appConfig.database;
        const kept = this.entries.get(app);
        if (kept && sameSettings(kept.settings, settings)) next.set(app, kept);
        else {
          const driver = createDriver(settings, (message) => this.onDriverEvent(app, message), this.budget);
          created.push(driver);
          next.set(app, { settings, driver });
        }
      }
    } catch (err) {
      // The previous drivers stay in force; drop the ones made for the refused configuration.
      for (const driver of created) void driver.close().catch(() => undefined);
      throw err;
    }
    return next;
  }

  private retire(app: string, driver: Driver): void {
    const closing = driver
      .close()
      .catch((err: unknown) => this.onCloseError(app, err))
      .finally(() => this.retiring.delete(closing));
    this.retiring.add(closing);
  }
}

const SETTING_KEYS: readonly (keyof DatabaseSettings)[] = [
  'driver',
  'host',
  'port',
  'socket',
  'user',
  'password',
  'name',
  'file',
  'create',
  'pool',
  'queryTimeoutMs',
  'idleTimeoutMs',
];

function sameSettings(a: DatabaseSettings, b: DatabaseSettings): boolean {
  return SETTING_KEYS.every((key) => a[key] === b[key]);
}
