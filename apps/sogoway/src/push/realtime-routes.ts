// GET {base}/realtime: the caller's change events as Server-Sent Events (`event: change`, data = the event's
// JSON), optionally only some resources (?resources=tasks,projects). The stream lives as long as the session:
// it ends at the token's expiry, and the session is checked again every recheck period through requireUser
// (so a logout, a revocation or a removed user ends it). POST {base}/realtime/credentials: MQTT credentials
// for a device, bound by Mosquitto to the caller's topics and to the resources its role sees whole (sogoms-push,
// dynamic-security plugin).
import { ErrorCode, isSogomsError, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../auth/tokens.js';
import type { GatewayCore, RequestContext } from '../core.js';
import { sendOk } from '../http/envelope.js';
import { resourcesSeenWhole } from './changes.js';
import type { RealtimeStream } from './hub.js';

export const DEFAULT_REALTIME_RECHECK_MS = 10_000;
export const HEARTBEAT_MS = 25_000;
export const MAX_STREAMS_PER_USER = 20;
const RESOURCE_LIST = /^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/;

function pushOff(): SogomsError {
  return new SogomsError(ErrorCode.NOT_FOUND, 'Realtime events are not enabled for this application');
}

function resourcesOf(ctx: RequestContext, query: unknown): Set<string> | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.resources;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !RESOURCE_LIST.test(raw))
    throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'resources: expected names separated by commas', {
      field: 'resources',
    });
  const names = new Set(raw.split(','));
  for (const name of names)
    if (!Object.hasOwn(ctx.app.resources, name))
      throw new SogomsError(ErrorCode.VALIDATION_ERROR, `Unknown resource: ${name.slice(0, 64)}`, {
        field: 'resources',
      });
  return names;
}

/** GET /realtime. */
export async function realtime(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const authorization = request.headers.authorization;
  const claims = await requireUser(core, ctx, authorization);
  const push = ctx.app.push;
  if (!push?.enabled) throw pushOff();
  const resources = resourcesOf(ctx, request.query);
  if (core.realtime.streamsOf(ctx.app.app, claims.sub) >= MAX_STREAMS_PER_USER)
    throw new SogomsError(ErrorCode.RATE_LIMITED, 'Too many realtime streams open for this user');

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': ctx.requestId,
  });
  res.write(`retry: 5000\nevent: ready\ndata: {"user_id":${claims.sub}}\n\n`);

  let ended = false;
  const timers: NodeJS.Timeout[] = [];
  const stream: RealtimeStream = {
    app: ctx.app.app,
    userId: claims.sub,
    role: claims.role,
    resources,
    send(payload) {
      if (!ended) res.write(`event: change\ndata: ${payload}\n\n`);
    },
    end(reason) {
      if (ended) return;
      ended = true;
      for (const t of timers) clearTimeout(t);
      remove();
      res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    },
  };
  const remove = core.realtime.add(push, stream);
  const expiresIn = claims.exp * 1000 - core.now();
  timers.push(setTimeout(() => stream.end('token expired'), Math.min(Math.max(0, expiresIn), 2 ** 31 - 1)));
  timers.push(setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS));
  const recheckMs = core.deps.realtimeRecheckMs ?? DEFAULT_REALTIME_RECHECK_MS;
  timers.push(
    setInterval(() => {
      requireUser(core, ctx, authorization).catch((err: unknown) => {
        // Only an answer about the session ends the stream; a database hiccup does not.
        if (isSogomsError(err, ErrorCode.UNAUTHORIZED)) stream.end('session ended');
      });
    }, recheckMs),
  );
  for (const t of timers) t.unref();
  const closed = () => {
    if (ended) return;
    ended = true;
    for (const t of timers) clearTimeout(t);
    remove();
  };
  res.on('close', closed);
  res.on('error', closed);
}

/** POST /realtime/credentials. */
export async function realtimeCredentials(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const claims = await requireUser(core, ctx, request.headers.authorization);
  const push = ctx.app.push;
  if (!push?.enabled || push.credentials !== 'dynsec') throw pushOff();
  const service = core.deps.services.push;
  if (!service) throw new SogomsError(ErrorCode.SERVICE_UNAVAILABLE, 'sogoms-push is not available');
  const credentials = await service.call(
    'credentials',
    { app_id: ctx.app.app, user_id: claims.sub, resources: resourcesSeenWhole(ctx.app, claims.role) },
    { id: ctx.requestId, timeoutMs: core.requestTimeoutMs },
  );
  sendOk(reply, 201, 'Created', credentials);
}
