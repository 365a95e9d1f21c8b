// What buildGateway needs from the outside world; main.ts provides the real ones, tests their own.
import type { PlatformConfig } from '@sogoms/config';
import type { MinimalLogger, ServiceClient } from '@sogoms/protocol';

/** The part of a protocol client the gateway uses. */
export type ServiceCaller = Pick<ServiceClient, 'call'>;

export interface GatewayServices {
  db: ServiceCaller;
  logs: ServiceCaller;
  /** Optional: without it, forgot-password and welcome mails are logged as not sent. */
  smtp?: ServiceCaller;
}

export interface GatewayDeps {
  /** The configuration in force; read once per request, so a reload swaps it atomically. */
  config: () => PlatformConfig;
  services: GatewayServices;
  logger: MinimalLogger;
  /** ms since the epoch (tokens, rate limits, reset links); Date.now by default. */
  clock?: () => number;
  /** Reported by GET /health; the build's VERSION by default. */
  version?: string;
  /** Timeout of each backend call made for a request (default 5 s): past it the client gets 503. */
  requestTimeoutMs?: number;
  /** Timeout of each backend health probe (default 1 s). */
  healthTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 1_000;
