// The sogoms-db actions (SPEC §6): query, query_one, insert, update, delete, transaction, and the per-app
// database state for `health`. Params are checked here; drivers run the SQL; errors leave as registry codes.
import type { PlatformConfig } from '@sogoms/config';
import { type ActionHandler, ErrorCode, SogomsError } from '@sogoms/protocol';
import type { Logger, ServiceInstance } from '@sogoms/runtime';
import { DatabaseHealth } from './db-health.js';
import { describeTable } from './describe.js';
import { ConnectionBudget, DEFAULT_MAX_CONNECTIONS } from './drivers/connection-budget.js';
import type { Driver, Outcome, WriteResult } from './drivers/types.js';
import { withDetail } from './error-detail.js';
import { describeDriverError, mapDriverError } from './errors.js';
import { appIdOf, statementOf, statementsOf } from './params.js';
import { createPrepareAction } from './prepare.js';
import { DriverRegistry } from './registry.js';

export { type AppHealth, HEALTH_PING_TIMEOUT_MS } from './db-health.js';

/** SQL text kept in a log line. */
const LOGGED_SQL_CHARS = 500;

export type DbLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface DbServiceDeps {
  config: PlatformConfig;
  logger: DbLogger;
  /** MariaDB connections the process keeps open at most, over all apps (`-max-connections`). */
  maxConnections?: number;
}

type CallContext = { id: string; action: string };

/** Builds the service: its actions, health extra, reload and close (main.ts hands it to runService). */
export function createDbService(deps: DbServiceDeps): ServiceInstance {
  const { logger } = deps;
  const budget = new ConnectionBudget(deps.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const databases = new DatabaseHealth();
  const registry = new DriverRegistry(
    deps.config,
    (app, err) => logger.warn({ app, err }, 'closing a database driver failed'),
    (app, message) => logger.warn({ app }, message),
    budget,
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
      const result = await work();
      databases.observe(app, driver);
      return result;
    } catch (err) {
      databases.observe(app, driver, err);
      const mapped = mapDriverError(driver.kind, err);
      logger[logLevel(mapped.code)](
        {
          id: ctx.id,
          action: ctx.action,
          app,
          code: mapped.code,
          sql: sql.slice(0, LOGGED_SQL_CHARS),
          ...(err === mapped ? { detail: mapped.message } : describeDriverError(err)),
        },
        'database statement failed',
      );
      throw withDetail(mapped, err);
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
    prepare: createPrepareAction((app) => registry.get(app)),
    describe: (params, ctx) => {
      const { app, driver } = driverOf(params);
      return guarded(app, driver, ctx, 'describe', () => describeTable(driver, params));
    },
  };

  return {
    actions,
    async health() {
      return { apps: await databases.report(registry.list()), connections: budget.stats() };
    },
    reload(config) {
      registry.reload(config);
    },
    close: () => registry.close(),
  };
}

/** Constraint violations are the callers' input, a timeout is load; everything else needs an operator. */
function logLevel(code: string): 'info' | 'warn' | 'error' {
  if (
    code === ErrorCode.DB_DUPLICATE ||
    code === ErrorCode.DB_CONSTRAINT ||
    code === ErrorCode.VALIDATION_ERROR
  )
    return 'info';
  return code === ErrorCode.TIMEOUT ? 'warn' : 'error';
}

/** A statement that returned rows (INSERT ... RETURNING) still answers in the write shape. */
function writeResult(outcome: Outcome): WriteResult {
  return Array.isArray(outcome) ? { insert_id: 0, affected_rows: outcome.length } : outcome;
}
