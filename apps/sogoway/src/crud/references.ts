// Keeps what a write points at inside what its author may see. A create/update `references` entry
// (field → resource) makes the gateway look the value up with that resource's `show`, under the caller's role
// filter, before writing. Without it a user could attach a row to another tenant's: a task in someone else's
// project, which a foreign key accepts and which ON DELETE CASCADE would then delete with that project.
import type { TokenClaims } from '@sogoms/auth';
import type { CudQuery } from '@sogoms/config';
import type { GatewayCore, RequestContext } from '../core.js';
import type { Scalar } from '../http/body.js';
import { validationError } from '../http/body.js';
import { bind, bindings, chooseFilter, compileResource } from './compile.js';
import { idOf } from './validate.js';

/** 400 VALIDATION_ERROR naming the first field whose value is no id of a row the caller can see. */
export async function checkReferences(
  core: GatewayCore,
  ctx: RequestContext,
  cud: CudQuery,
  columns: readonly string[],
  values: readonly Scalar[],
  claims: TokenClaims,
): Promise<void> {
  const lookups: Promise<void>[] = [];
  for (const [field, target] of Object.entries(cud.references)) {
    const at = columns.indexOf(field);
    if (at < 0 || values[at] === null) continue; // not set, or cleared: nothing to look up
    lookups.push(lookUp(core, ctx, field, target, values[at]!, claims));
  }
  await Promise.all(lookups);
}

async function lookUp(
  core: GatewayCore,
  ctx: RequestContext,
  field: string,
  target: string,
  value: Scalar,
  claims: TokenClaims,
): Promise<void> {
  // The per-field map every validation error of a write carries (`error.fields`), on YAML and schema resources.
  const reason = `must be the id of one of the ${target} you can see`;
  const refused = () => validationError(`${field} ${reason}`, { fields: { [field]: reason } });
  const id = idOf(value);
  if (id === undefined) throw refused();
  // The loader checked that the resource exists and has a show section.
  const show = compileResource(ctx.app.resources[target]!).show!;
  const filter = chooseFilter(show.query.filters, claims.role);
  if (!filter) throw refused(); // a role that may not see the resource at all may not point at its rows
  const statement = show.statement(filter);
  const row = await core.db<unknown>(ctx, 'query_one', {
    query: statement.text,
    args: bind(statement, bindings(claims, id)),
  });
  if (row === null || row === undefined) throw refused();
}
