// Fire-and-forget calls to sogoms-logs with a bound: at most `maxInFlight` calls wait for an answer; past it a
// call is dropped and counted instead of queued, so a stalled sogoms-logs costs the gateway a fixed amount of
// memory and never delays or fails a request. Failures and drops are counted (GET /health shows them) and
// reported to the gateway's own log at most once per LOGS_WARN_EVERY_MS, not once per call.
import type { MinimalLogger } from '@sogoms/protocol';
import type { ServiceCaller } from '../deps.js';
import { describe } from './values.js';

export const DEFAULT_LOGS_MAX_IN_FLIGHT = 1_000;
export const LOGS_WARN_EVERY_MS = 10_000;

export type LogAction = 'log_event' | 'log_error';

/** Counters since the gateway started, as GET /health reports them. */
export interface LogCallStats {
  in_flight: number;
  dropped: number;
  failed: number;
}

export interface LogsSenderOptions {
  service: ServiceCaller;
  logger: MinimalLogger;
  now: () => number;
  timeoutMs: number;
  maxInFlight: number;
}

const WHAT: Record<LogAction, string> = {
  log_event: 'event not logged',
  log_error: 'error not sent to sogoms-logs',
};

export class LogsSender {
  private inFlight = 0;
  private dropped = 0;
  private failed = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  // Drops and failures not yet reported in a warning.
  private unreported = { dropped: 0, failed: 0 };

  constructor(private readonly options: LogsSenderOptions) {}

  /** Sends one call for the app; never waits, never throws. */
  send(app: string, requestId: string, action: LogAction, params: Record<string, unknown>): void {
    if (this.inFlight >= this.options.maxInFlight) {
      this.dropped++;
      this.unreported.dropped++;
      this.warn(action, { app, requestId, err: { message: 'too many sogoms-logs calls in flight' } });
      return;
    }
    this.inFlight++;
    this.options.service
      .call(action, { app_id: app, ...params }, { id: requestId, timeoutMs: this.options.timeoutMs })
      .then(
        () => undefined,
        (err: unknown) => {
          this.failed++;
          this.unreported.failed++;
          this.warn(action, { app, requestId, err: describe(err) });
        },
      )
      .finally(() => {
        this.inFlight--;
      });
  }

  stats(): LogCallStats {
    return { in_flight: this.inFlight, dropped: this.dropped, failed: this.failed };
  }

  private warn(action: LogAction, detail: Record<string, unknown>): void {
    const now = this.options.now();
    if (now - this.lastWarnAt < LOGS_WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    const { dropped, failed } = this.unreported;
    this.unreported = { dropped: 0, failed: 0 };
    this.options.logger.warn({ ...detail, action, dropped, failed }, WHAT[action]);
  }
}
