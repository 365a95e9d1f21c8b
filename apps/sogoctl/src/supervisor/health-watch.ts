// Watches one process's health: polls quickly until it is first healthy (or start_timeout passes), then checks
// every health_interval and gives up after HEALTH_FAILURES_BEFORE_RESTART failures in a row. One watch per
// process: stop() silences it for good, so a late answer about an old process is never acted upon.
import { formatMs } from './format.js';
import { HEALTH_CHECK_TIMEOUT_MAX_MS, type HealthCheck, type HealthResult } from './health.js';

/** Failed periodic checks in a row that get an instance killed and restarted. */
export const HEALTH_FAILURES_BEFORE_RESTART = 3;
/**
 * Polling while an instance starts: every START_POLL_MIN_MS during the first START_POLL_FAST_MS (a failed
 * check on a socket nobody listens to yet costs next to nothing, and every level of the dependency graph
 * waits on it), then doubling up to START_POLL_MAX_MS for slow starters.
 */
export const START_POLL_MIN_MS = 20;
export const START_POLL_FAST_MS = 2_000;
export const START_POLL_MAX_MS = 500;

export interface HealthWatchEvents {
  /** First healthy answer; afterMs since the process was spawned. */
  healthy(afterMs: number): void;
  /** A periodic check failed (failures so far in a row, out of HEALTH_FAILURES_BEFORE_RESTART). */
  failed(failures: number, detail: string | undefined): void;
  /** Healthy again after one or more failed checks. */
  recovered(): void;
  /** Time to kill the process: start_timeout passed, or too many failures in a row. */
  giveUp(reason: string): void;
  /** Every successful answer (it may say which configuration the process serves). */
  answered?(result: HealthResult): void;
}

export class HealthWatch {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private readonly spawnedAt = Date.now();

  constructor(
    private readonly check: HealthCheck,
    private readonly settings: { healthIntervalMs: number; startTimeoutMs: number },
    private readonly events: HealthWatchEvents,
  ) {}

  /** Starts polling; call right after the process is spawned. */
  start(): void {
    this.poll(START_POLL_MIN_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private poll(delay: number): void {
    const deadline = this.spawnedAt + this.settings.startTimeoutMs;
    const timeout = Math.max(START_POLL_MIN_MS, Math.min(HEALTH_CHECK_TIMEOUT_MAX_MS, deadline - Date.now()));
    void this.check(timeout).then((res) => {
      if (this.stopped) return;
      if (res.ok) {
        this.events.answered?.(res);
        this.events.healthy(Date.now() - this.spawnedAt);
        this.schedule();
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.events.giveUp(
          `not healthy within start_timeout ${formatMs(this.settings.startTimeoutMs)} (${res.detail})`,
        );
        return;
      }
      const next =
        Date.now() - this.spawnedAt < START_POLL_FAST_MS
          ? START_POLL_MIN_MS
          : Math.min(delay * 2, START_POLL_MAX_MS);
      this.timer = setTimeout(() => this.poll(next), Math.min(delay, left));
    });
  }

  private schedule(): void {
    const interval = this.settings.healthIntervalMs;
    this.timer = setTimeout(() => {
      void this.check(Math.min(HEALTH_CHECK_TIMEOUT_MAX_MS, interval)).then((res) => {
        if (this.stopped) return;
        if (res.ok) {
          this.events.answered?.(res);
          if (this.failures > 0) this.events.recovered();
          this.failures = 0;
          return this.schedule();
        }
        this.failures++;
        this.events.failed(this.failures, res.detail);
        if (this.failures >= HEALTH_FAILURES_BEFORE_RESTART) {
          this.events.giveUp(
            `${this.failures}/${HEALTH_FAILURES_BEFORE_RESTART} health checks failed in a row`,
          );
        } else {
          this.schedule();
        }
      });
    }, interval);
  }
}
