// What buildGateway needs from the outside world; main.ts provides the real ones, tests their own.
import type { PlatformConfig } from '@sogoms/config';
import type { MinimalLogger, ServiceClient } from '@sogoms/protocol';
import type { GatewayMetrics } from './metrics/http-metrics.js';

/** The part of a protocol client the gateway uses. */
export type ServiceCaller = Pick<ServiceClient, 'call'>;

export interface GatewayServices {
  db: ServiceCaller;
  logs: ServiceCaller;
  /** Optional: without it, forgot-password and welcome mails are logged as not sent. */
  smtp?: ServiceCaller;
  /** Optional: sogoms-push, for device credentials (`push.credentials: dynsec`); change events need only the broker. */
  push?: ServiceCaller;
}

export interface GatewayDeps {
  /** The configuration in force; read once per request, so a reload swaps it atomically. */
  config: () => PlatformConfig;
  /** Which configuration is in force, for GET /health (`config: "live"` or `"last-good"` with its problems). */
  configState?: () => Record<string, unknown>;
  services: GatewayServices;
  logger: MinimalLogger;
  /** ms since the epoch (tokens, rate limits, reset links); Date.now by default. */
  clock?: () => number;
  /** Reported by GET /health; the build's VERSION by default. */
  version?: string;
  /** Timeout of each backend call made for a request (default 5 s): past it the client gets 503. */
  requestTimeoutMs?: number;
  /**
   * Timeout of each backend probe in GET /health (default 500 ms): /health must answer well within sogoctl's
   * check timeout (at most 2 s, less with a short health_interval) even when a backend stalls.
   */
  healthTimeoutMs?: number;
  /** sogoms-logs calls waiting for an answer, past which new ones are dropped and counted (default 1000). */
  logsMaxInFlight?: number;
  /** GET /realtime: how often an open stream checks its session again (default 10 s). */
  realtimeRecheckMs?: number;
  /** Request counts and latencies for GET /metrics (metrics/); none are kept without it. */
  metrics?: GatewayMetrics;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 500;
