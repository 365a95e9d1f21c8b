// Change events handed to sogoms-push without making a request wait or fail: events are batched (at most one
// `publish` call per BATCH_WINDOW_MS, at most MAX_BATCH events each), at most PUSH_MAX_IN_FLIGHT calls wait for
// an answer, and at most maxQueued events wait behind them; past that an event is dropped and counted. GET
// /health shows the counters.
//
// Why a window and not one call per event-loop turn: under load a turn holds one or two creates, and each call
// costs sogoms-push and Mosquitto a wake-up, a read and a write — measured at ~150 µs of CPU per event, a fifth
// of a create's whole cost on two cores. A lone event still leaves on the next turn (the window has passed).
import type { MinimalLogger } from '@sogoms/protocol';
import type { PushEvent } from '@sogoms/push';
import type { ServiceCaller } from '../deps.js';
import { describe } from '../logs/values.js';

export const DEFAULT_PUSH_MAX_QUEUED = 10_000;
export const PUSH_MAX_IN_FLIGHT = 4;
export const MAX_BATCH = 500;
/** Least time between two `publish` calls: events arriving meanwhile join the next one. */
export const BATCH_WINDOW_MS = 5;
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
  private lastFlushAt = Number.NEGATIVE_INFINITY;
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
    const run = () => {
      this.scheduled = false;
      this.flush();
    };
    // A monotonic clock: a test's or an operator's clock change must not hold events back.
    const wait = this.lastFlushAt + BATCH_WINDOW_MS - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  private flush(): void {
    const service = this.options.service!;
    this.lastFlushAt = performance.now();
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
