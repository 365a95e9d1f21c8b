// The generic CRUD handlers (SPEC §5): list, show, create, update, delete on /{resource}[/{id}], every one
// behind a token and the role filter of its section.
import type { TokenClaims } from '@sogoms/auth';
import { ErrorCode, isSogomsError, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../auth/tokens.js';
import type { GatewayCore, RequestContext } from '../core.js';
import { sendOk } from '../http/envelope.js';
import { bind, bindings, type CompiledResource, compileResource, filterFor } from './compile.js';
import { checkReferences } from './references.js';
import { bodyColumns, parseId, parseListQuery, requireSomeColumn } from './validate.js';

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
  const claims = await requireUser(core, ctx.app, request.headers.authorization);
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
  const statement = plan.statement(filter, req.given, req.sort);
  const args = bind(statement, {
    userId: claims.sub,
    role: claims.role,
    email: claims.email,
    params: req.params,
  });
  args.push(req.limit, req.offset);
  // The rows go out as sogoms-db wrote them: no parse and serialize again in the gateway.
  const rows = await core.dbRaw(ctx, 'query', { query: statement.text, args });
  sendOk(reply, 200, 'OK', rows, { limit: req.limit, offset: req.offset });
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
  const { columns, values } = bodyColumns(request.body, plan.cud.fields, resource.ownerField);
  requireSomeColumn(columns, plan.cud.fields, resource.ownerField);
  await checkReferences(core, ctx, plan.cud, columns, values, claims);
  // Every created row belongs to the token's user (SPEC §5), whether or not the YAML lists the owner column.
  columns.push(resource.ownerField);
  values.push(claims.sub);
  const result = await core
    .db<{ insert_id: number }>(ctx, 'insert', { query: plan.text(columns), args: values })
    .catch(inputConstraint);
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
  const { columns, values } = bodyColumns(request.body, plan.cud.fields, resource.ownerField);
  requireSomeColumn(columns, plan.cud.fields, resource.ownerField);
  const filter = filterFor(plan.cud.filters, claims.role);
  await checkReferences(core, ctx, plan.cud, columns, values, claims);
  const statement = plan.statement(filter, columns);
  const args = bind(statement, bindings(claims, id), values);
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
  const statement = plan.statement(filterFor(plan.cud.filters, claims.role));
  const result = await core.db<{ affected_rows: number }>(ctx, 'delete', {
    query: statement.text,
    args: bind(statement, bindings(claims, id)),
  });
  if (result.affected_rows === 0) throw notFound();
  sendOk(reply, 200, 'Deleted', { affected_rows: result.affected_rows });
}

/** On create/update a constraint failure is bad input (a reference to a missing row): 400, not 409. */
function inputConstraint(err: unknown): never {
  if (isSogomsError(err, ErrorCode.DB_CONSTRAINT)) {
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'A value violates a database constraint');
  }
  throw err;
}
