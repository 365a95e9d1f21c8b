// When to restart a failed instance, and when to give up. Each failure (exit or failed health) schedules a
// restart after restart_delay, doubled for every consecutive failure; an instance that stayed healthy for
// BACKOFF_RESET_MS starts again from the base delay. More than max_restarts restarts inside restart_window
// makes the instance FATAL.

/** The backoff ceiling; also kept under restart_window / (max_restarts + 1) so a crash loop reaches FATAL. */
export const MAX_BACKOFF_MS = 30_000;
/** Healthy this long, the next failure counts as the first of a new series. */
export const BACKOFF_RESET_MS = 30_000;

export interface RestartSettings {
  restartDelayMs: number;
  maxRestarts: number;
  restartWindowMs: number;
}

export type RestartDecision = { fatal: false; delayMs: number } | { fatal: true; restartsInWindow: number };

export class RestartPolicy {
  private history: number[] = [];
  private consecutive = 0;
  private readonly capMs: number;

  constructor(private readonly settings: RestartSettings) {
    // Without this ceiling, doubling delays could spread restarts wider than the window and a process that
    // crashes forever would never be declared FATAL.
    const windowShare = Math.floor(settings.restartWindowMs / (settings.maxRestarts + 1));
    this.capMs = Math.max(settings.restartDelayMs, Math.min(MAX_BACKOFF_MS, windowShare));
  }

  /** Records a failure at `now`; healthyForMs is how long the instance had been healthy (0 if never). */
  onFailure(now: number, healthyForMs: number): RestartDecision {
    if (healthyForMs >= BACKOFF_RESET_MS) this.consecutive = 0;
    this.history = this.history.filter((t) => t > now - this.settings.restartWindowMs);
    if (this.history.length >= this.settings.maxRestarts) {
      return { fatal: true, restartsInWindow: this.history.length };
    }
    this.history.push(now);
    this.consecutive++;
    const delayMs = Math.min(this.capMs, this.settings.restartDelayMs * 2 ** (this.consecutive - 1));
    return { fatal: false, delayMs };
  }

  /** Forgets past failures (an operator's explicit restart). */
  reset(): void {
    this.history = [];
    this.consecutive = 0;
  }
}
