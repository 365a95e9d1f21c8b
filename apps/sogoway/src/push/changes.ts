// The change events of the CRUD handlers: built after a successful create/update/delete and handed to the
// ChangePublisher (never awaited). The event goes to the row owner's topic; a role whose read filter of the
// resource is empty (it sees every row: the same role filters as the CRUD) reads it there too — its SSE streams
// through the gateway's fan-out, its devices through a broker ACL on that resource's topics of every user.
import type { TokenClaims } from '@sogoms/auth';
import type { AppConfig, ResourceQueries, RoleFilters } from '@sogoms/config';
import type { PushAction, PushEvent } from '@sogoms/push';
import type { GatewayCore, RequestContext } from '../core.js';
import { chooseFilter } from '../crud/compile.js';

export interface Change {
  resource: { name: string; ownerField: string };
  action: PushAction;
  id: number;
  /** The row's owner, or a lookup of it (update/delete by a role that sees other users' rows). */
  owner: number | undefined | Promise<number | undefined>;
  /** The fields written (create/update); sent only for resources listed in push.rows. */
  columns?: readonly string[];
  values?: readonly unknown[];
}

export const pushEnabled = (app: AppConfig): boolean => app.push?.enabled === true;

/** The read filters that decide who sees a row: show's, else list's. */
export function readFilters(queries: ResourceQueries | undefined): RoleFilters | undefined {
  return queries?.show?.filters ?? queries?.list?.filters;
}

/** Whether a role's read filter shows it every row of the resource (its own entry, else `default`). */
export function seesAll(queries: ResourceQueries | undefined, role: string): boolean {
  const filters = readFilters(queries);
  if (!filters) return false;
  const chosen = chooseFilter(filters, role);
  return chosen !== undefined && chosen.sql.trim() === '';
}

/** The resources of an app whose every row a role sees (its device credentials may read them whole). */
export function resourcesSeenWhole(app: AppConfig, role: string): string[] {
  return Object.entries(app.resources)
    .filter(([, queries]) => seesAll(queries, role))
    .map(([name]) => name);
}

/**
 * The owner of the row `id` before an update/delete: the caller when its filter is `owner = :user_id`, else a
 * lookup (only for apps with push on). Never rejects: an unknown owner means no event.
 */
export function ownerOf(
  core: GatewayCore,
  ctx: RequestContext,
  resource: { ownerField: string },
  table: string,
  filter: { sql: string },
  claims: TokenClaims,
  id: number,
): number | Promise<number | undefined> {
  if (!pushEnabled(ctx.app)) return claims.sub;
  const owner = resource.ownerField;
  const ownOnly = new RegExp(`^\\s*\`?${owner}\`?\\s*=\\s*:user_id\\s*$`);
  if (ownOnly.test(filter.sql)) return claims.sub;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(owner) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
    return Promise.resolve(undefined);
  return core
    .db<Record<string, unknown> | null>(ctx, 'query_one', {
      query: `SELECT \`${owner}\` AS owner FROM \`${table}\` WHERE \`id\` = ?`,
      args: [id],
    })
    .then(
      (row) => (Number.isSafeInteger(row?.owner) ? (row!.owner as number) : undefined),
      () => undefined,
    );
}

/** Publishes the change when the app has push on; never waits, never throws. */
export function pushChange(core: GatewayCore, ctx: RequestContext, change: Change): void {
  const push = ctx.app.push;
  if (!push?.enabled) return;
  const at = new Date(core.now()).toISOString();
  const emit = (owner: number | undefined) => {
    if (owner === undefined) return;
    const event: PushEvent = {
      app: ctx.app.app,
      resource: change.resource.name,
      action: change.action,
      id: change.id,
      user_id: owner,
      at,
    };
    if (change.columns && change.values && push.rows.includes(change.resource.name)) {
      const row: Record<string, unknown> = { id: change.id };
      change.columns.forEach((column, i) => {
        row[column] = change.values![i];
      });
      event.row = row;
    }
    core.push.send(push, event);
  };
  if (change.owner instanceof Promise) void change.owner.then(emit);
  else emit(change.owner);
}
