// The sogoms-db actions (SPEC §6): query, query_one, insert, update, delete, transaction, and the per-app
// database state for `health`. Params are checked here; drivers run the SQL; errors leave as registry codes.
import type { PlatformConfig } from '@sogoms/config';
import { type ActionHandler, ErrorCode, SogomsError } from '@sogoms/protocol';
import type { Logger, ServiceInstance } from '@sogoms/runtime';
import type { Driver, Outcome, WriteResult } from './drivers/types.js';
import { describeDriverError, mapDriverError } from './errors.js';
import { appIdOf, statementOf, statementsOf } from './params.js';
import { DriverRegistry } from './registry.js';

/** Upper bound of a health ping; the gateway's own health call gives up after 1 s. */
export const HEALTH_PING_TIMEOUT_MS = 750;
/** SQL text kept in a log line. */
const LOGGED_SQL_CHARS = 500;

export type DbLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface DbServiceDeps {
  config: PlatformConfig;
  logger: DbLogger;
}

export interface AppHealth {
  driver: Driver['kind'];
  status: 'ok' | 'down';
  error?: string;
}

type CallContext = { id: string; action: string };

/** Builds the service: its actions, health extra, reload and close (main.ts hands it to runService). */
export function createDbService(deps: DbServiceDeps): ServiceInstance {
  const { logger } = deps;
  const registry = new DriverRegistry(deps.config, (app, err) =>
    logger.warn({ app, err }, 'closing a database driver failed'),
  );

  const driverOf = (params: Record<string, unknown>): { app: string; driver: Driver } => {
    const app = appIdOf(params);
    const driver = registry.get(app);
    if (!driver) throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app: ${app.slice(0, 64)}`);
    return { app, driver };
  };

  /** Runs driver work, turning its errors into registry codes and logging the driver's detail. */
  const guarded = async <T>(
    app: string,
    driver: Driver,
    ctx: CallContext,
    sql: string,
    work: () => T | Promise<T>,
  ): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      const mapped = mapDriverError(driver.kind, err);
      logger[logLevel(mapped.code)](
        {
          id: ctx.id,
          action: ctx.action,
          app,
          code: mapped.code,
          sql: sql.slice(0, LOGGED_SQL_CHARS),
          ...(err === mapped ? {} : describeDriverError(err)),
        },
        'database statement failed',
      );
      throw mapped;
    }
  };

  const single =
    (shape: (outcome: Outcome) => unknown, first = false): ActionHandler =>
    async (params, ctx) => {
      const { app, driver } = driverOf(params);
      const st = statementOf(params, driver.kind);
      const outcome = await guarded(app, driver, ctx, st.query, () => driver.run(st.query, st.args, first));
      return shape(outcome);
    };

  const actions: Record<string, ActionHandler> = {
    query: single((o) => (Array.isArray(o) ? o : [])),
    query_one: single((o) => (Array.isArray(o) ? (o[0] ?? null) : null), true),
    insert: single(writeResult),
    update: single((o) => ({ affected_rows: writeResult(o).affected_rows })),
    delete: single((o) => ({ affected_rows: writeResult(o).affected_rows })),
    transaction: async (params, ctx) => {
      const { app, driver } = driverOf(params);
      const statements = statementsOf(params, driver.kind);
      const sql = statements.map((st) => st.query).join(' ;; ');
      return guarded(app, driver, ctx, sql, () => driver.transaction(statements));
    },
  };

  return {
    actions,
    async health() {
      const apps: Record<string, AppHealth> = {};
      await Promise.all(
        registry.list().map(async ([app, { settings, driver }]) => {
          const timeoutMs = Math.min(settings.queryTimeoutMs, HEALTH_PING_TIMEOUT_MS);
          try {
            await driver.ping(timeoutMs);
            apps[app] = { driver: driver.kind, status: 'ok' };
          } catch (err) {
            apps[app] = { driver: driver.kind, status: 'down', error: healthError(driver, err) };
          }
        }),
      );
      return { apps };
    },
    reload(config) {
      registry.reload(config);
    },
    close: () => registry.close(),
  };
}

/** Constraint violations are the callers' input, a timeout is load; everything else needs an operator. */
function logLevel(code: string): 'info' | 'warn' | 'error' {
  if (code === ErrorCode.DB_DUPLICATE || code === ErrorCode.DB_CONSTRAINT) return 'info';
  return code === ErrorCode.TIMEOUT ? 'warn' : 'error';
}

/** A statement that returned rows (INSERT ... RETURNING) still answers in the write shape. */
function writeResult(outcome: Outcome): WriteResult {
  return Array.isArray(outcome) ? { insert_id: 0, affected_rows: outcome.length } : outcome;
}

/** The registry message with the driver's error code (never its text, which may name hosts or paths). */
function healthError(driver: Driver, err: unknown): string {
  const mapped = mapDriverError(driver.kind, err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && err !== mapped ? `${mapped.message} (${code})` : mapped.message;
}
