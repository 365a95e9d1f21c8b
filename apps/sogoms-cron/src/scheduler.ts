// When each job runs: croner reads the pattern and finds the next date (time zone and seconds field included);
// the timers are ours, through a clock seam, so that tests drive time and each tick carries its exact scheduled
// instant (the key of the claim that makes a run happen once across hosts).
import { CRON_PATTERN_MODE } from '@sogoms/config';
import { Cron } from 'croner';

/** Time and timers, replaced in tests. */
export interface Clock {
  now(): number;
  /** Calls fn after ms; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** setTimeout's longest delay is ~24.8 days; longer waits are taken in steps of a day. */
const MAX_TIMER_MS = 24 * 3_600_000;

export interface ScheduleEntry {
  key: string;
  schedule: string;
  timezone: string;
}

export interface Scheduler {
  /** Replaces every entry (a reload): timers of the old set are cancelled, new ones armed from now. */
  set(entries: readonly ScheduleEntry[]): void;
  /** The next run of an entry, or null when it never runs again (or is unknown). */
  next(key: string): Date | null;
  close(): void;
}

/** A croner pattern reader for an entry (no timers of croner's own: it only computes dates). */
export function patternOf(entry: Pick<ScheduleEntry, 'schedule' | 'timezone'>): Cron {
  return new Cron(entry.schedule, { paused: true, mode: CRON_PATTERN_MODE, timezone: entry.timezone });
}

/** The most recent scheduled run at or before `at`, or null. */
export function previousRun(entry: Pick<ScheduleEntry, 'schedule' | 'timezone'>, at: number): Date | null {
  // previousRuns looks strictly before the reference: a tick exactly at `at` counts as its own previous run.
  return patternOf(entry).previousRuns(1, new Date(at + 1000))[0] ?? null;
}

/** Calls onTick(key, scheduledAt) at each scheduled instant of each entry. */
export function createScheduler(clock: Clock, onTick: (key: string, scheduledAt: Date) => void): Scheduler {
  type Armed = { entry: ScheduleEntry; cron: Cron; target: Date | null; cancel?: () => void };
  let armed = new Map<string, Armed>();
  let closed = false;

  const arm = (item: Armed, from: number): void => {
    item.target = item.cron.nextRun(new Date(from));
    wait(item);
  };
  const wait = (item: Armed): void => {
    if (closed || !item.target) return;
    const delay = item.target.getTime() - clock.now();
    item.cancel = clock.setTimer(
      () => {
        if (armed.get(item.entry.key) !== item || !item.target) return;
        const target = item.target;
        if (clock.now() < target.getTime()) return wait(item); // a long wait taken in steps
        // The next tick is computed from this one, not from now: a late timer never skips or repeats a tick,
        // unless the process slept past the next one too (then the ticks missed while asleep are dropped).
        arm(item, Math.max(target.getTime(), clock.now() - 1000));
        onTick(item.entry.key, target);
      },
      Math.min(Math.max(delay, 0), MAX_TIMER_MS),
    );
  };

  return {
    set(entries) {
      for (const item of armed.values()) item.cancel?.();
      armed = new Map();
      const now = clock.now();
      for (const entry of entries) {
        const item: Armed = { entry, cron: patternOf(entry), target: null };
        armed.set(entry.key, item);
        arm(item, now);
      }
    },
    next: (key) => armed.get(key)?.target ?? null,
    close() {
      closed = true;
      for (const item of armed.values()) item.cancel?.();
      armed.clear();
    },
  };
}
