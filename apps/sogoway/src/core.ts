// State shared by every handler of one gateway: deps, per-app token verifiers, rate limiters, and the calls
// to the backing services, each carrying the HTTP request id as its protocol request id. Everything written to a
// log goes through logs/values.ts bounds; calls to sogoms-logs go through the bounded LogsSender.

import { TokenVerifier } from '@sogoms/auth';
import type { AppConfig } from '@sogoms/config';
import type { MinimalLogger, RawJson } from '@sogoms/protocol';
import { BrokerLinks } from '@sogoms/push';
import { VERSION } from '@sogoms/version';
import { FixedWindowLimiter } from './auth/rate-limit.js';
import {
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type GatewayDeps,
  type ServiceCaller,
} from './deps.js';
import { dbErrorDetail } from './http/error-detail.js';
import type { HttpError } from './http/status.js';
import { DEFAULT_LOGS_MAX_IN_FLIGHT, LogsSender } from './logs/sender.js';
import { boundValue, clip, describe } from './logs/values.js';
import { RealtimeHub } from './push/hub.js';
import { ChangePublisher } from './push/publisher.js';

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
  readonly logs: LogsSender;
  /** The MQTT broker links of the apps with push on, shared by the change events and the SSE streams. */
  readonly brokers: BrokerLinks;
  /** Change events (push/changes.ts), and the SSE streams of GET /realtime. */
  readonly push: ChangePublisher;
  readonly realtime: RealtimeHub;
  private readonly verifiers = new Map<string, TokenVerifier>();

  constructor(readonly deps: GatewayDeps) {
    this.now = deps.clock ?? Date.now;
    this.logger = deps.logger;
    this.version = deps.version ?? VERSION;
    this.requestTimeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.healthTimeoutMs = deps.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    this.limiter = new FixedWindowLimiter(this.now);
    this.logs = new LogsSender({
      service: deps.services.logs,
      logger: deps.logger,
      now: this.now,
      timeoutMs: this.requestTimeoutMs,
      maxInFlight: deps.logsMaxInFlight ?? DEFAULT_LOGS_MAX_IN_FLIGHT,
    });
    this.brokers = new BrokerLinks({ processName: 'sogoway', logger: deps.logger });
    this.push = new ChangePublisher(this.brokers);
    this.realtime = new RealtimeHub(deps.config, this.brokers, deps.logger);
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

  /** Records an auth event in sogoms-logs (values clipped); never waits, never fails the request. */
  event(ctx: RequestContext, event: string, userId?: number, data?: Record<string, unknown>): void {
    const params: Record<string, unknown> = { event, ip: clip(ctx.ip) };
    if (userId !== undefined) params.user_id = userId;
    if (data !== undefined) params.data = boundValue(data);
    this.logs.send(ctx.app.app, ctx.requestId, 'log_event', params);
  }

  /** Reports a 5xx: to the gateway's own log always, to sogoms-logs when the app is known. */
  serverError(
    ctx: RequestContext | undefined,
    http: HttpError,
    err: unknown,
    request: { method: string; url: string; id: string },
  ): void {
    const detail: ReturnType<typeof describe> & { db_message?: string } = describe(err);
    // The database's message of a DB_ERROR (values scrubbed by sogoms-db): what a developer needs to fix it.
    const dbMessage = dbErrorDetail(err);
    if (dbMessage !== undefined) detail.db_message = dbMessage;
    const url = clip(request.url);
    this.logger.error(
      { app: ctx?.app.app, requestId: request.id, method: request.method, url, err: detail },
      `${http.status} ${http.code}`,
    );
    if (!ctx) return;
    const context = { request_id: request.id, method: request.method, url, code: http.code, ...detail };
    const why = dbMessage === undefined ? detail.message : `${detail.message}: ${dbMessage}`;
    const params = { level: 'error', message: `${request.method} ${url}: ${why}`, context };
    this.logs.send(ctx.app.app, request.id, 'log_error', params);
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
