// The generic CRUD handlers (SPEC §5): list, show, create, update, delete on /{resource}[/{id}], every one
// behind a token and the role filter of its section.
import type { TokenClaims } from '@sogoms/auth';
import type { CudQuery } from '@sogoms/config';
import { ErrorCode, isSogomsError, RawJson, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../auth/tokens.js';
import type { GatewayCore, RequestContext } from '../core.js';
import { type Scalar, validationError } from '../http/body.js';
import { sendOk } from '../http/envelope.js';
import { ownerOf, pushChange } from '../push/changes.js';
import { cachedColumns, loadColumns } from './columns.js';
import {
  bind,
  bindings,
  type CompiledResource,
  compileResource,
  filterFor,
  type PageMode,
} from './compile.js';
import { cutPage, encodeCursor, rowKeys } from './cursor.js';
import { expandRows } from './expand.js';
import { filterCondition, parseListExtras, pickFields } from './list-query.js';
import { checkReferences } from './references.js';
import { schemaBodyColumns } from './schema-values.js';
import { bodyColumns, checkColumnValues, parseId, parseListQuery, requireSomeColumn } from './validate.js';

type Query = Record<string, string | string[] | undefined>;

function methodNotAllowed(reply: FastifyReply, allowed: string[]): SogomsError {
  reply.header('allow', allowed.join(', '));
  return new SogomsError(ErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed');
}

function notFound(): SogomsError {
  return new SogomsError(ErrorCode.NOT_FOUND, 'Not found');
}

/** Handles /{resource} (idText undefined) and /{resource}/{id}. */
export async function handleCrud(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
  resourceName: string,
  idText: string | undefined,
): Promise<void> {
  // The token comes first, so that resource names are not revealed to anonymous clients.
  const claims = await requireUser(core, ctx, request.headers.authorization);
  const queries = Object.hasOwn(ctx.app.resources, resourceName)
    ? ctx.app.resources[resourceName]
    : undefined;
  if (!queries) throw new SogomsError(ErrorCode.NOT_FOUND, `Unknown resource: ${resourceName.slice(0, 64)}`);
  const resource = compileResource(queries);
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  if (idText === undefined) {
    if (method === 'GET' && resource.list) return list(core, ctx, request, reply, resource, claims);
    if (method === 'POST' && resource.create) return create(core, ctx, request, reply, resource, claims);
    throw methodNotAllowed(reply, allowedOn(resource, false));
  }
  if (method === 'GET' && resource.show) return show(core, ctx, reply, resource, claims, parseId(idText));
  if (method === 'PUT' && resource.update)
    return update(core, ctx, request, reply, resource, claims, parseId(idText));
  if (method === 'DELETE' && resource.delete)
    return remove(core, ctx, reply, resource, claims, parseId(idText));
  throw methodNotAllowed(reply, allowedOn(resource, true));
}

function allowedOn(resource: CompiledResource, item: boolean): string[] {
  if (!item) return [resource.list && 'GET', resource.create && 'POST'].filter((m): m is string => !!m);
  return [resource.show && 'GET', resource.update && 'PUT', resource.delete && 'DELETE'].filter(
    (m): m is string => !!m,
  );
}

async function list(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
  resource: CompiledResource,
  claims: TokenClaims,
): Promise<void> {
  const plan = resource.list!;
  const filter = filterFor(plan.query.filters, claims.role);
  const req = parseListQuery(plan.query, plan.paramNames, request.query as Query);
  // ?filter[...], ?fields=, ?count=, ?expand=; any other unknown name is a 400 (crud/list-query.ts).
  const extras = parseListExtras(plan.query, plan.paramNames, request.query as Query);
  const where = extras.filters.length > 0 ? filterCondition(extras.filters) : undefined;
  // Columns ending with the key when the order allows a cursor (every ?sort=, a plain YAML order).
  const keys = plan.keys(req.sort);
  let mode: PageMode = { kind: req.offset > 0 ? 'deferred' : 'plain' };
  if (req.after) {
    if (!keys)
      throw validationError('This list cannot be paged with "after" in its default order; use ?sort=');
    if (req.after.values.length !== keys.length) throw validationError('Invalid cursor in "after"');
    mode = { kind: 'after', nulls: req.after.values.map((v) => v === null) };
  }
  const statement = plan.statement(filter, req.given, req.sort, mode, where);
  const values = {
    userId: claims.sub,
    role: claims.role,
    email: claims.email,
    params: req.params,
    after: req.after?.values,
    filters: where?.values,
  };
  const args = bind(statement, values);
  // One row more than the page tells whether a next page exists; it is cut off before answering.
  args.push(keys ? req.limit + 1 : req.limit, req.offset);
  // The rows go out as sogoms-db wrote them: no parse and serialize again in the gateway.
  let rows = await core.dbRaw(ctx, 'query', { query: statement.text, args });
  const meta: { limit: number; offset?: number; next?: string | null; total?: number } = {
    limit: req.limit,
  };
  if (!req.after) meta.offset = req.offset;
  if (keys) {
    const page = cutPage(rows.json, req.limit);
    if (page.last) rows = new RawJson(page.json);
    const values =
      page.last &&
      rowKeys(
        page.last,
        keys.map((k) => k.column),
      );
    // A row without one of its order's columns cannot make a cursor: no `next` rather than a wrong one.
    if (!page.last) meta.next = null;
    else if (values) meta.next = encodeCursor({ sort: req.sort, values });
  }
  if (extras.count) {
    const count = plan.countStatement(filter, req.given, where);
    const row = await core.db<{ total: number | string } | null>(ctx, 'query_one', {
      query: count.text,
      args: bind(count, values),
    });
    meta.total = Number(row?.total ?? 0);
  }
  if (!extras.fields && extras.expand.length === 0) return sendOk(reply, 200, 'OK', rows, meta);
  let data = JSON.parse(rows.json) as Record<string, unknown>[];
  if (extras.expand.length > 0) await expandRows(core, ctx, plan.query, extras.expand, data, claims);
  if (extras.fields) data = pickFields(data, extras.fields, extras.expand);
  sendOk(reply, 200, 'OK', data, meta);
}

async function show(
  core: GatewayCore,
  ctx: RequestContext,
  reply: FastifyReply,
  resource: CompiledResource,
  claims: TokenClaims,
  id: number,
): Promise<void> {
  const plan = resource.show!;
  const statement = plan.statement(filterFor(plan.query.filters, claims.role));
  const row = await core.dbRaw(ctx, 'query_one', {
    query: statement.text,
    args: bind(statement, bindings(claims, id)),
  });
  if (row.json === 'null') throw notFound();
  sendOk(reply, 200, 'OK', row);
}

async function create(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
  resource: CompiledResource,
  claims: TokenClaims,
): Promise<void> {
  const plan = resource.create!;
  const { columns, values } = await writtenValues(core, ctx, request.body, resource, plan.cud, claims, true);
  // Every created row belongs to the token's user (SPEC §5), whether or not the YAML lists the owner column.
  columns.push(resource.ownerField);
  values.push(claims.sub);
  const result = await core
    .db<{ insert_id: number }>(ctx, 'insert', { query: plan.text(columns), args: values })
    .catch(inputConstraint);
  const id = result.insert_id;
  pushChange(core, ctx, { resource, action: 'create', id, owner: claims.sub, columns, values });
  sendOk(reply, 201, 'Created', { insert_id: result.insert_id });
}

async function update(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
  resource: CompiledResource,
  claims: TokenClaims,
  id: number,
): Promise<void> {
  const plan = resource.update!;
  const filter = filterFor(plan.cud.filters, claims.role);
  const { columns, values } = await writtenValues(core, ctx, request.body, resource, plan.cud, claims, false);
  const statement = plan.statement(filter, columns);
  const args = bind(statement, bindings(claims, id), values);
  const owner = ownerOf(core, ctx, resource, plan.cud.table, filter, claims, id);
  const result = await core
    .db<{ affected_rows: number }>(ctx, 'update', { query: statement.text, args })
    .catch(inputConstraint);
  if (result.affected_rows === 0) {
    // sogoms-db counts matched rows on both drivers, so 0 should mean "not visible"; the visibility check keeps
    // the answer right for a backend that counts only changed rows (MySQL without FOUND_ROWS).
    const check = plan.visibility(filter);
    const rows = await core.db<unknown[]>(ctx, 'query', {
      query: check.text,
      args: bind(check, bindings(claims, id)),
    });
    if (rows.length === 0) throw notFound();
  }
  pushChange(core, ctx, { resource, action: 'update', id, owner, columns, values });
  sendOk(reply, 200, 'Updated', { affected_rows: result.affected_rows });
}

async function remove(
  core: GatewayCore,
  ctx: RequestContext,
  reply: FastifyReply,
  resource: CompiledResource,
  claims: TokenClaims,
  id: number,
): Promise<void> {
  const plan = resource.delete!;
  const filter = filterFor(plan.cud.filters, claims.role);
  const statement = plan.statement(filter);
  // The owner must be read before the row is gone (a lookup only for roles that see others' rows).
  const owner = await ownerOf(core, ctx, resource, plan.cud.table, filter, claims, id);
  const result = await core.db<{ affected_rows: number }>(ctx, 'delete', {
    query: statement.text,
    args: bind(statement, bindings(claims, id)),
  });
  if (result.affected_rows === 0) throw notFound();
  pushChange(core, ctx, { resource, action: 'delete', id, owner });
  sendOk(reply, 200, 'Deleted', { affected_rows: result.affected_rows });
}

/**
 * The columns and values of a create/update body, checked: against the schema's field rules for a resource
 * generated from schema/{app}.yaml (every bad field at once), else against the table's described column types.
 * Referenced ids are then looked up under the caller's role filter.
 */
async function writtenValues(
  core: GatewayCore,
  ctx: RequestContext,
  body: unknown,
  resource: CompiledResource,
  cud: CudQuery,
  claims: TokenClaims,
  creating: boolean,
): Promise<{ columns: string[]; values: Scalar[] }> {
  if (cud.rules) {
    const written = schemaBodyColumns(body, cud.rules, resource.ownerField, creating);
    await checkReferences(core, ctx, cud, written.columns, written.values, claims);
    return written;
  }
  const { columns, values } = bodyColumns(body, cud.fields, resource.ownerField);
  requireSomeColumn(columns, cud.fields, resource.ownerField);
  await checkReferences(core, ctx, cud, columns, values, claims);
  const types = cachedColumns(core, ctx.app, cud.table) ?? (await loadColumns(core, ctx, cud.table));
  checkColumnValues(types, columns, values);
  return { columns, values };
}

/** On create/update a constraint failure is bad input (a reference to a missing row): 400, not 409. */
function inputConstraint(err: unknown): never {
  if (isSogomsError(err, ErrorCode.DB_CONSTRAINT)) {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'A value violates a database constraint');
  }
  throw err;
}
