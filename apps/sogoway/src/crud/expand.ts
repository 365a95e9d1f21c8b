// ?expand=name: one level of relation expansion. For a `list.expand` entry (foreign-key column → resource),
// the referenced rows are read with ONE query — the target resource's list query, under the caller's role
// filter for that resource, narrowed to `key IN (:_f0, …)` (every id bound) — and each row gets the one it
// points at under `name`, or null when there is none the caller may see.
import type { TokenClaims } from '@sogoms/auth';
import type { ReadQuery } from '@sogoms/config';
import type { GatewayCore, RequestContext } from '../core.js';
import { bind, bindings, chooseFilter, compileResource } from './compile.js';

type Row = Record<string, unknown>;

export async function expandRows(
  core: GatewayCore,
  ctx: RequestContext,
  list: ReadQuery,
  names: readonly string[],
  rows: Row[],
  claims: TokenClaims,
): Promise<void> {
  await Promise.all(names.map((name) => expandOne(core, ctx, list, name, rows, claims)));
}

async function expandOne(
  core: GatewayCore,
  ctx: RequestContext,
  list: ReadQuery,
  name: string,
  rows: Row[],
  claims: TokenClaims,
): Promise<void> {
  const { field, resource } = list.expand![name]!;
  const ids = new Map<string, string | number>();
  for (const row of rows) {
    const v = row[field];
    if (typeof v === 'number' || (typeof v === 'string' && v.length <= 1000)) ids.set(String(v), v);
  }
  const found = new Map<string, Row>();
  // The loader checked that the resource exists and has a list; a config reload may still have removed it.
  const target = Object.hasOwn(ctx.app.resources, resource) ? ctx.app.resources[resource] : undefined;
  const plan = target && compileResource(target).list;
  const filter = plan && chooseFilter(plan.query.filters, claims.role);
  if (plan && filter && ids.size > 0) {
    const statement = plan.inStatement(filter, ids.size);
    const args = bind(statement, { ...bindings(claims), filters: [...ids.values()] });
    const referenced = await core.db<Row[]>(ctx, 'query', { query: statement.text, args });
    for (const r of referenced) found.set(String(r[plan.key]), r);
  }
  for (const row of rows) {
    const v = row[field];
    row[name] = (v !== null && v !== undefined && found.get(String(v))) || null;
  }
}
