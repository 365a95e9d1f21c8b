// Dispatch of a request under its app's base_path: /auth/... to the auth handlers, /{resource}[/{id}] to the
// generic CRUD. One wildcard fastify route serves every app, so a config reload can add or remove apps,
// resources and base paths without re-registering routes.
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { resendVerification, verifyEmail } from './auth/email-verification.js';
import { forgotPassword, resetPassword } from './auth/password-reset.js';
import { type AuthHandler, login, logout, me, register } from './auth/routes.js';
import { changePassword, refresh } from './auth/session-routes.js';
import type { GatewayCore, RequestContext } from './core.js';
import { handleCrud } from './crud/routes.js';
import { apiDocs, openApi } from './openapi/routes.js';
import { realtime, realtimeCredentials } from './push/realtime-routes.js';

const AUTH_ROUTES: Readonly<Record<string, { method: string; handler: AuthHandler }>> = {
  register: { method: 'POST', handler: register },
  login: { method: 'POST', handler: login },
  logout: { method: 'POST', handler: logout },
  me: { method: 'GET', handler: me },
  'password/forgot': { method: 'POST', handler: forgotPassword },
  'password/reset': { method: 'POST', handler: resetPassword },
  'password/change': { method: 'POST', handler: changePassword },
  refresh: { method: 'POST', handler: refresh },
  'email/verify': { method: 'POST', handler: verifyEmail },
  'email/resend': { method: 'POST', handler: resendVerification },
};
/** Push (push/realtime-routes.ts); these names shadow resources of the same name. */
const REALTIME_ROUTES: Readonly<Record<string, { method: string; handler: AuthHandler }>> = {
  realtime: { method: 'GET', handler: realtime },
  'realtime/credentials': { method: 'POST', handler: realtimeCredentials },
};

function routeNotFound(): SogomsError {
  return new SogomsError(ErrorCode.NOT_FOUND, 'Route not found');
}

/** The path below the base path ('' for the base path itself), or undefined when outside it. */
export function pathUnder(basePath: string, url: string): string | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  if (path !== base && !path.startsWith(base + '/')) return undefined;
  const rest = path.slice(base.length + 1);
  return rest.endsWith('/') ? rest.slice(0, -1) : rest;
}

export async function dispatch(
  core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const rest = pathUnder(ctx.app.basePath, request.url);
  if (rest === undefined || rest === '') throw routeNotFound();
  // The OpenAPI document and its page, without a token; a resource named "docs" keeps its name.
  if (rest === 'openapi.json') return openApi(core, ctx, request, reply);
  if (rest === 'docs' && !Object.hasOwn(ctx.app.resources, 'docs')) return apiDocs(core, ctx, request, reply);
  if (rest.startsWith('auth/')) {
    const route = Object.hasOwn(AUTH_ROUTES, rest.slice(5)) ? AUTH_ROUTES[rest.slice(5)] : undefined;
    if (!route) throw routeNotFound();
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (method !== route.method) {
      reply.header('allow', route.method);
      throw new SogomsError(ErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed');
    }
    return route.handler(core, ctx, request, reply);
  }
  if (rest === 'realtime' || rest.startsWith('realtime/')) {
    const route = Object.hasOwn(REALTIME_ROUTES, rest) ? REALTIME_ROUTES[rest] : undefined;
    if (route) {
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      if (method !== route.method) {
        reply.header('allow', route.method);
        throw new SogomsError(ErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed');
      }
      return route.handler(core, ctx, request, reply);
    }
  }
  const slash = rest.indexOf('/');
  if (slash === -1) return handleCrud(core, ctx, request, reply, rest, undefined);
  const id = rest.slice(slash + 1);
  if (id.includes('/')) throw routeNotFound();
  return handleCrud(core, ctx, request, reply, rest.slice(0, slash), id);
}
