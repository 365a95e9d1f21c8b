// What each column of a CRUD table accepts, asked once of sogoms-db (`describe`) and kept per app config and
// table: the create/update handlers check body values against it before any statement, so MariaDB and SQLite
// give the same 400 for the same bad value (DOCTECH §5.3). A config reload brings new AppConfig objects, hence
// a fresh cache (run a reload after changing a table). A failed `describe` checks nothing for a while: the
// database's own answer then stands.
import type { AppConfig } from '@sogoms/config';
import type { ColumnInfo } from '@sogoms/protocol';
import type { GatewayCore, RequestContext } from '../core.js';

export type { ColumnInfo };

export type TableColumns = ReadonlyMap<string, ColumnInfo>;

/** How long a table whose `describe` failed goes unchecked before the gateway asks again. */
export const DESCRIBE_RETRY_MS = 10_000;
/** Upper bound of one `describe` call: a request must not wait the whole backend timeout for it. */
const DESCRIBE_TIMEOUT_MS = 2_000;

const NONE: TableColumns = new Map();

interface Entry {
  columns: TableColumns;
  /** Set when describe failed: past it, ask again. */
  retryAt?: number;
}

const cache = new WeakMap<AppConfig, Map<string, Entry>>();
const loading = new WeakMap<AppConfig, Map<string, Promise<TableColumns>>>();

/** The columns of `table`, or undefined when they must be fetched first (loadColumns). Two Map lookups. */
export function cachedColumns(core: GatewayCore, app: AppConfig, table: string): TableColumns | undefined {
  const entry = cache.get(app)?.get(table);
  if (entry === undefined || (entry.retryAt !== undefined && core.now() >= entry.retryAt)) return undefined;
  return entry.columns;
}

/** Fetches and caches the columns of `table`; concurrent callers share one call. Never rejects. */
export function loadColumns(core: GatewayCore, ctx: RequestContext, table: string): Promise<TableColumns> {
  const pending = loading.get(ctx.app) ?? new Map<string, Promise<TableColumns>>();
  loading.set(ctx.app, pending);
  let promise = pending.get(table);
  if (!promise) {
    promise = fetchColumns(core, ctx, table).finally(() => pending.delete(table));
    pending.set(table, promise);
  }
  return promise;
}

async function fetchColumns(core: GatewayCore, ctx: RequestContext, table: string): Promise<TableColumns> {
  let entry: Entry;
  try {
    const answer = await core.deps.services.db.call<{ columns?: unknown }>(
      'describe',
      { app_id: ctx.app.app, table },
      { id: ctx.requestId, timeoutMs: Math.min(core.requestTimeoutMs, DESCRIBE_TIMEOUT_MS) },
    );
    const columns = new Map<string, ColumnInfo>();
    if (Array.isArray(answer.columns))
      for (const c of answer.columns as ColumnInfo[]) if (typeof c?.name === 'string') columns.set(c.name, c);
    entry = { columns };
  } catch (err) {
    core.logger.warn(
      // Registry errors carry a code and a fixed message; nothing from the request is in them.
      { app: ctx.app.app, table, requestId: ctx.requestId, code: (err as { code?: unknown }).code },
      'column types unavailable: values are left to the database',
    );
    entry = { columns: NONE, retryAt: core.now() + DESCRIBE_RETRY_MS };
  }
  const tables = cache.get(ctx.app) ?? new Map<string, Entry>();
  cache.set(ctx.app, tables);
  tables.set(table, entry);
  return entry.columns;
}
