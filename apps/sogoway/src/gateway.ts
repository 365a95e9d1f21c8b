// buildGateway: the fastify instance of sogoway, built from injected deps (config source, service clients,
// logger, clock) so that tests drive it with inject() and main.ts only wires and listens.
import type { Socket } from 'node:net';
import { prepareDummyHash } from '@sogoms/auth';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { clientIp, resolveApp } from './apps/host-router.js';
import { GatewayCore, type RequestContext } from './core.js';
import type { GatewayDeps } from './deps.js';
import { handleHealth } from './health.js';
import { BODY_LIMIT_BYTES, installBodyParsing } from './http/body.js';
import { installCors } from './http/cors.js';
import { errorBody } from './http/envelope.js';
import { errorExtras } from './http/error-detail.js';
import { sendFailure, toHttpError } from './http/errors.js';
import { requestIdOf } from './http/request-id.js';
import { dispatch } from './router.js';

declare module 'fastify' {
  interface FastifyRequest {
    sogo: RequestContext | null;
  }
}

// A request's whole life (headers and body) must fit in this; slow clients are cut off.
const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the gateway; call `.listen()` (main.ts) or `.inject()` (tests) on the result. */
export function buildGateway(deps: GatewayDeps): FastifyInstance {
  const core = new GatewayCore(deps);
  // The first login with an unknown email must not be slower than the others (it compares a dummy hash).
  for (const cost of new Set(Object.values(deps.config().apps).map((a) => a.auth.bcryptCost)))
    void prepareDummyHash(cost);
  let closing = false;
  const app = Fastify({
    // No fastify logger: per-request log lines would cost more than the request itself. The gateway's own
    // logger (deps.logger) gets warnings and errors only.
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: requestIdOf,
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: false,
    // fastify's own answers for malformed URLs and broken HTTP would not be in the envelope.
    frameworkErrors: (err, request, reply) => {
      reply.header('x-request-id', request.id);
      sendFailure(reply, err);
    },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const body = errorBody(ErrorCode.VALIDATION_ERROR, 'Bad request');
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });
  app.decorateRequest('sogo', null);
  installBodyParsing(app);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const metrics = deps.metrics;
  if (metrics)
    app.addHook('onResponse', (request, reply, done) => {
      metrics.observe(request, reply);
      done();
    });
  app.addHook('preClose', (done) => {
    closing = true;
    // Open SSE streams would keep the server from closing.
    core.realtime.close();
    done();
  });
  // After the last request: its change events are written before the broker links end.
  app.addHook('onClose', (_instance, done) => {
    core.brokers.close().then(() => done(), done);
  });

  app.setErrorHandler((err, request, reply) => {
    const http = toHttpError(err);
    if (http.status >= 500) core.serverError(request.sogo ?? undefined, http, err, request);
    sendFailure(reply, err, http, errorExtras(http, err, request.id, request.sogo?.app));
  });
  app.setNotFoundHandler((_request, reply) => {
    sendFailure(reply, new SogomsError(ErrorCode.NOT_FOUND, 'Route not found'));
  });

  app.get('/health', (request, reply) => handleHealth(core, reply, request.id));
  installCors(app, deps.config);

  app.route({
    // OPTIONS is the CORS plugin's (http/cors.ts): a preflight is answered in its hook, before this route.
    method: app.supportedMethods.filter((m) => m !== 'OPTIONS'),
    url: '/*',
    // Runs before the body is read: an unknown host is refused without parsing anything.
    onRequest: (request, reply, done) => {
      if (closing) {
        reply.header('connection', 'close');
        done(new SogomsError(ErrorCode.SERVICE_UNAVAILABLE, 'Shutting down'));
        return;
      }
      const headers = request.headers;
      const peer = request.socket.remoteAddress ?? '';
      const found = resolveApp(deps.config(), headers.host, headers['x-forwarded-host'], peer);
      if (!found) {
        done(new SogomsError(ErrorCode.APP_NOT_FOUND, 'Unknown application'));
        return;
      }
      const ip = clientIp(found, peer, headers['x-forwarded-for']);
      request.sogo = { app: found, requestId: request.id, ip };
      done();
    },
    handler: (request, reply) => dispatch(core, request.sogo!, request, reply),
  });
  return app;
}
