// State shared by every handler of one gateway: deps, per-app token verifiers, rate limiters, and the calls
// to the backing services, each carrying the HTTP request id as its protocol request id.

import { TokenVerifier } from '@sogoms/auth';
import type { AppConfig } from '@sogoms/config';
import type { MinimalLogger, RawJson } from '@sogoms/protocol';
import { VERSION } from '@sogoms/version';
import { FixedWindowLimiter } from './auth/rate-limit.js';
import {
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type GatewayDeps,
  type ServiceCaller,
} from './deps.js';
import type { HttpError } from './http/status.js';

/** What a handler knows about the request beyond fastify's object. */
export interface RequestContext {
  app: AppConfig;
  requestId: string;
  ip: string;
}

// A rotated secret leaves its verifier unused; only this many are kept.
const MAX_VERIFIERS = 64;

export class GatewayCore {
  readonly now: () => number;
  readonly logger: MinimalLogger;
  readonly version: string;
  readonly requestTimeoutMs: number;
  readonly healthTimeoutMs: number;
  readonly limiter: FixedWindowLimiter;
  private readonly verifiers = new Map<string, TokenVerifier>();

  constructor(readonly deps: GatewayDeps) {
    this.now = deps.clock ?? Date.now;
    this.logger = deps.logger;
    this.version = deps.version ?? VERSION;
    this.requestTimeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.healthTimeoutMs = deps.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    this.limiter = new FixedWindowLimiter(this.now);
  }

  /**
   * The verifier (and its cache) for an app's JWT secret. Keyed by the secret itself, so a config reload that
   * keeps the secret keeps the cache, and one that rotates it starts from an empty cache.
   */
  verifier(app: AppConfig): TokenVerifier {
    const secret = app.auth.jwtSecret;
    let verifier = this.verifiers.get(secret);
    if (!verifier) {
      if (this.verifiers.size >= MAX_VERIFIERS) this.verifiers.delete(this.verifiers.keys().next().value!);
      verifier = new TokenVerifier({ secret, now: this.now });
      this.verifiers.set(secret, verifier);
    }
    return verifier;
  }

  /** A sogoms-db call for the request's app; rejects with the service's SogomsError. */
  db<T>(ctx: RequestContext, action: string, params: Record<string, unknown>): Promise<T> {
    return this.call<T>(this.deps.services.db, ctx, action, params);
  }

  /** A sogoms-db call whose result stays JSON text, to be forwarded to the client without a parse. */
  dbRaw(ctx: RequestContext, action: string, params: Record<string, unknown>): Promise<RawJson> {
    return this.deps.services.db.call<RawJson>(
      action,
      { app_id: ctx.app.app, ...params },
      { id: ctx.requestId, timeoutMs: this.requestTimeoutMs, raw: true },
    );
  }

  /** Sends a mail template through sogoms-smtp without making the request wait or fail. */
  mail(ctx: RequestContext, template: string, to: string, data: Record<string, unknown>): void {
    const smtp = this.deps.services.smtp;
    if (!smtp) {
      this.logger.warn(
        { app: ctx.app.app, template, requestId: ctx.requestId },
        'no smtp service: mail not sent',
      );
      return;
    }
    this.call(smtp, ctx, 'send_template', { to, template, data }).catch((err: unknown) => {
      this.logger.warn(
        { app: ctx.app.app, template, requestId: ctx.requestId, err: describe(err) },
        'mail not sent',
      );
    });
  }

  /** Records an auth event in sogoms-logs; never waits, never fails the request. */
  event(ctx: RequestContext, event: string, userId?: number, data?: Record<string, unknown>): void {
    const params: Record<string, unknown> = { event, ip: ctx.ip };
    if (userId !== undefined) params.user_id = userId;
    if (data !== undefined) params.data = data;
    this.call(this.deps.services.logs, ctx, 'log_event', params).catch((err: unknown) => {
      this.logger.warn(
        { app: ctx.app.app, event, requestId: ctx.requestId, err: describe(err) },
        'event not logged',
      );
    });
  }

  /** Reports a 5xx: to the gateway's own log always, to sogoms-logs when the app is known. */
  serverError(
    ctx: RequestContext | undefined,
    http: HttpError,
    err: unknown,
    request: { method: string; url: string; id: string },
  ): void {
    const detail = describe(err);
    this.logger.error(
      { app: ctx?.app.app, requestId: request.id, method: request.method, url: request.url, err: detail },
      `${http.status} ${http.code}`,
    );
    if (!ctx) return;
    const context = {
      request_id: request.id,
      method: request.method,
      url: request.url,
      code: http.code,
      ...detail,
    };
    const params = {
      level: 'error',
      message: `${request.method} ${request.url}: ${detail.message}`,
      context,
    };
    this.call(this.deps.services.logs, ctx, 'log_error', params).catch((logErr: unknown) => {
      this.logger.warn({ requestId: request.id, err: describe(logErr) }, 'error not sent to sogoms-logs');
    });
  }

  private call<T>(
    service: ServiceCaller,
    ctx: RequestContext,
    action: string,
    params: Record<string, unknown>,
  ): Promise<T> {
    return service.call<T>(
      action,
      { app_id: ctx.app.app, ...params },
      { id: ctx.requestId, timeoutMs: this.requestTimeoutMs },
    );
  }
}

/** A loggable summary of anything thrown (code and message, no stack for service errors). */
export function describe(err: unknown): { code?: string; message: string; stack?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const out: { code?: string; message: string; stack?: string } = { message: err.message };
    if (typeof code === 'string') out.code = code;
    if (err.name !== 'SogomsError' && err.stack) out.stack = err.stack;
    return out;
  }
  return { message: String(err) };
}
