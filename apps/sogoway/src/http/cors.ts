// CORS for the apps whose routes/{app}.yaml has a `cors:` section. It runs in the catch-all route's onRequest,
// right after the app is resolved from the Host: a preflight (OPTIONS with Access-Control-Request-Method) is
// answered there, before any token check or the CRUD router, and every other answer of the app (errors
// included: they keep the headers set here) carries Access-Control-Allow-Origin for an allowed origin.
// Done by hand rather than with @fastify/cors: its OPTIONS '*' route would collide with the gateway's single
// catch-all route, and its global hook would run (and resolve the app a second time) on every request of
// every app, apps without CORS included.
import type { CorsSettings } from '@sogoms/config';
import type { FastifyReply, FastifyRequest } from 'fastify';

const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** Response headers a browser script may read besides the CORS-safelisted ones. */
export const EXPOSE_HEADERS = 'X-Request-Id, Retry-After, Allow';
/** Allowed request headers when the preflight names none. */
const DEFAULT_ALLOW_HEADERS = 'Authorization, Content-Type';
// Access-Control-Request-Headers is echoed back only when it is a plain list of header names.
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const MAX_REQUEST_HEADERS_LENGTH = 1_000;

function allowedOrigin(cors: CorsSettings, origin: string): boolean {
  return cors.origins[0] === '*' || cors.origins.includes(origin.toLowerCase());
}

/**
 * Sets the CORS headers of an app on the reply. Returns true when the request was a preflight, which has
 * then been answered (204); the caller stops there.
 */
export function applyCors(cors: CorsSettings, request: FastifyRequest, reply: FastifyReply): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const any = cors.origins[0] === '*';
  // The answer differs by Origin (unless any origin is allowed): shared caches must key on it.
  if (!any) reply.header('vary', 'Origin');
  const allowed = allowedOrigin(cors, origin);
  if (allowed) {
    reply.header('access-control-allow-origin', any ? '*' : origin);
    if (cors.credentials) reply.header('access-control-allow-credentials', 'true');
  }
  const preflight =
    request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (!preflight) {
    if (allowed) reply.header('access-control-expose-headers', EXPOSE_HEADERS);
    return false;
  }
  // A refused origin still gets its 204, without Allow-Origin: the browser then blocks the real request.
  if (allowed) {
    const asked = request.headers['access-control-request-headers'];
    const headers =
      typeof asked === 'string' && asked.length <= MAX_REQUEST_HEADERS_LENGTH && HEADER_LIST.test(asked)
        ? asked
        : DEFAULT_ALLOW_HEADERS;
    reply.header('access-control-allow-methods', ALLOW_METHODS);
    reply.header('access-control-allow-headers', headers);
    reply.header('access-control-max-age', String(cors.maxAgeS));
    reply.header('vary', any ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers');
  }
  reply.code(204).send();
  return true;
}
