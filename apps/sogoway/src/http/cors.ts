// CORS for the apps whose routes/{app}.yaml has a `cors:` section, with @fastify/cors. Its hook runs on every
// request before the gateway's own: the options come from a delegator that finds the app from the Host (only
// when the request carries an Origin) and allows CORS only for an origin that app lists. A preflight (OPTIONS
// with Access-Control-Request-Method) is answered there, before any token check or the CRUD router; every other
// answer of the app (errors included: they keep the headers set in the hook) carries Access-Control-Allow-Origin.
// An origin not listed, or an app without `cors:`, gets no CORS header at all, and its OPTIONS a 404.
import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import type { CorsSettings, PlatformConfig } from '@sogoms/config';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { resolveApp } from '../apps/host-router.js';

export const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** Response headers a browser script may read besides the CORS-safelisted ones. */
export const EXPOSE_HEADERS = 'X-Request-Id, Retry-After, Allow';
/** Allowed request headers when the preflight names none. */
export const DEFAULT_ALLOW_HEADERS = 'Authorization, Content-Type';
// Access-Control-Request-Headers is echoed back only when it is a plain list of header names.
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const MAX_REQUEST_HEADERS_LENGTH = 1_000;

/** No CORS for this request: no header, and an OPTIONS goes on to the plugin's route, which answers 404. */
const DISABLED: FastifyCorsOptions = Object.freeze({ origin: false });

export function allowedOrigin(cors: CorsSettings, origin: string): boolean {
  return cors.origins[0] === '*' || cors.origins.includes(origin.toLowerCase());
}

/** The Access-Control-Allow-Headers of a preflight: the requested list when well formed, else the default. */
export function allowHeaders(asked: string | string[] | undefined): string {
  return typeof asked === 'string' && asked.length <= MAX_REQUEST_HEADERS_LENGTH && HEADER_LIST.test(asked)
    ? asked
    : DEFAULT_ALLOW_HEADERS;
}

/** The @fastify/cors options of one request: those of its app's `cors:` for a listed origin, else none. */
export function corsOptionsFor(
  config: PlatformConfig,
  request: Pick<FastifyRequest, 'headers' | 'socket'>,
): FastifyCorsOptions {
  const { headers } = request;
  const origin = headers.origin;
  if (origin === undefined) return DISABLED;
  const app = resolveApp(
    config,
    headers.host,
    headers['x-forwarded-host'],
    request.socket.remoteAddress ?? '',
  );
  const cors = app?.cors;
  if (!cors || !allowedOrigin(cors, origin)) return DISABLED;
  return {
    // A string is sent as is: "*", or the request's own origin once it is known to be listed.
    origin: cors.origins[0] === '*' ? '*' : origin,
    credentials: cors.credentials,
    methods: ALLOW_METHODS,
    allowedHeaders: allowHeaders(headers['access-control-request-headers']),
    exposedHeaders: EXPOSE_HEADERS,
    maxAge: cors.maxAgeS,
    // An OPTIONS of a CORS app is answered as a preflight even without Access-Control-Request-Method.
    strictPreflight: false,
  };
}

/**
 * Registers @fastify/cors on the gateway. The plugin adds an `OPTIONS *` route, so the gateway's catch-all
 * must leave OPTIONS out.
 */
export function installCors(app: FastifyInstance, config: () => PlatformConfig): void {
  app.register(fastifyCors, {
    hook: 'onRequest',
    delegator: (request, callback) => callback(null, corsOptionsFor(config(), request)),
  });
}
