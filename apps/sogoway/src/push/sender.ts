// Change events handed to sogoms-push without making a request wait or fail: events are batched (one `publish`
// call per event-loop turn, at most MAX_BATCH events), at most maxInFlight calls wait for an answer, and at most
// maxQueued events wait behind them; past that an event is dropped and counted. GET /health shows the counters.
import type { MinimalLogger } from '@sogoms/protocol';
import type { PushEvent } from '@sogoms/push';
import type { ServiceCaller } from '../deps.js';
import { describe } from '../logs/values.js';

export const DEFAULT_PUSH_MAX_QUEUED = 10_000;
export const PUSH_MAX_IN_FLIGHT = 4;
export const MAX_BATCH = 500;
export const PUSH_WARN_EVERY_MS = 10_000;

export interface PushCallStats {
  queued: number;
  sent: number;
  dropped: number;
  failed: number;
}

export interface PushSenderOptions {
  service: ServiceCaller | undefined;
  logger: MinimalLogger;
  now: () => number;
  timeoutMs: number;
  maxQueued: number;
}

export class PushSender {
  private queue: PushEvent[] = [];
  private inFlight = 0;
  private scheduled = false;
  private sent = 0;
  private dropped = 0;
  private failed = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: PushSenderOptions) {}

  /** Queues one event; never waits, never throws. */
  send(event: PushEvent): void {
    if (!this.options.service) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.dropped++;
      this.warn('change event dropped: too many waiting for sogoms-push', undefined);
      return;
    }
    this.queue.push(event);
    this.schedule();
  }

  stats(): PushCallStats {
    return { queued: this.queue.length, sent: this.sent, dropped: this.dropped, failed: this.failed };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= PUSH_MAX_IN_FLIGHT) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const service = this.options.service!;
    while (this.queue.length > 0 && this.inFlight < PUSH_MAX_IN_FLIGHT) {
      const events = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      service
        .call('publish', { events }, { timeoutMs: this.options.timeoutMs })
        .then(
          () => {
            this.sent += events.length;
          },
          (err: unknown) => {
            this.failed += events.length;
            this.warn('change events not handed to sogoms-push', err);
          },
        )
        .finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.schedule();
        });
    }
  }

  private warn(message: string, err: unknown): void {
    const now = this.options.now();
    if (now - this.lastWarnAt < PUSH_WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    const detail = err === undefined ? {} : { err: describe(err) };
    this.options.logger.warn({ ...detail, dropped: this.dropped, failed: this.failed }, message);
  }
}
