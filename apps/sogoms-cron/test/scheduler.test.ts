// The scheduler on a fake clock: ticks carry their exact scheduled instants (seconds field, time zones, long
// waits taken in steps), and a reload re-arms from the new set.
import { describe, expect, it } from 'vitest';
import { type Clock, createScheduler, previousRun } from '../src/scheduler.js';

/** A clock whose time only moves when the test advances it; due timers fire in order. */
function fakeClock(start: string) {
  let now = Date.parse(start);
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const clock: Clock = {
    now: () => now,
    setTimer(fn, ms) {
      const id = ++ids;
      timers.push({ at: now + ms, fn, id });
      return () => {
        timers = timers.filter((t) => t.id !== id);
      };
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      now = next.at;
      next.fn();
    }
    now = end;
  };
  return { clock, advance };
}

describe('scheduler', () => {
  it('ticks every second of a 6-field schedule at the whole second', () => {
    const { clock, advance } = fakeClock('2025-01-15T10:00:00.300Z');
    const ticks: string[] = [];
    const scheduler = createScheduler(clock, (key, at) => ticks.push(`${key}@${at.toISOString()}`));
    scheduler.set([{ key: 'a/every', schedule: '* * * * * *', timezone: 'UTC' }]);
    advance(3_000);
    expect(ticks).toEqual([
      'a/every@2025-01-15T10:00:01.000Z',
      'a/every@2025-01-15T10:00:02.000Z',
      'a/every@2025-01-15T10:00:03.000Z',
    ]);
    expect(scheduler.next('a/every')?.toISOString()).toBe('2025-01-15T10:00:04.000Z');
  });

  it('runs a daily 07:00 Europe/Paris job at 06:00 UTC in winter and 05:00 UTC in summer', () => {
    const { clock, advance } = fakeClock('2025-03-29T12:00:00Z');
    const ticks: string[] = [];
    const scheduler = createScheduler(clock, (_key, at) => ticks.push(at.toISOString()));
    scheduler.set([{ key: 'p/digest', schedule: '0 7 * * *', timezone: 'Europe/Paris' }]);
    advance(2 * 86_400_000);
    expect(ticks).toEqual(['2025-03-30T05:00:00.000Z', '2025-03-31T05:00:00.000Z']);
  });

  it('waits more than 24 days in steps and still fires at the exact instant (@yearly)', () => {
    const { clock, advance } = fakeClock('2025-02-01T00:00:00Z');
    const ticks: string[] = [];
    const scheduler = createScheduler(clock, (_key, at) => ticks.push(at.toISOString()));
    scheduler.set([{ key: 'p/yearly', schedule: '@yearly', timezone: 'UTC' }]);
    advance(365 * 86_400_000);
    expect(ticks).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('drops the timers of jobs removed by a reload and arms the new ones', () => {
    const { clock, advance } = fakeClock('2025-01-15T10:00:00Z');
    const ticks: string[] = [];
    const scheduler = createScheduler(clock, (key) => ticks.push(key));
    scheduler.set([{ key: 'old', schedule: '*/2 * * * * *', timezone: 'UTC' }]);
    advance(2_000);
    scheduler.set([{ key: 'new', schedule: '*/2 * * * * *', timezone: 'UTC' }]);
    advance(4_000);
    scheduler.close();
    advance(4_000);
    expect(ticks).toEqual(['old', 'new', 'new']);
  });

  it('finds the latest due run for the catch-up, including one exactly now', () => {
    const entry = { schedule: '0 3 * * *', timezone: 'UTC' };
    expect(previousRun(entry, Date.parse('2025-01-15T10:00:00Z'))?.toISOString()).toBe(
      '2025-01-15T03:00:00.000Z',
    );
    expect(previousRun(entry, Date.parse('2025-01-15T03:00:00Z'))?.toISOString()).toBe(
      '2025-01-15T03:00:00.000Z',
    );
    expect(previousRun(entry, Date.parse('2025-01-15T02:59:59Z'))?.toISOString()).toBe(
      '2025-01-14T03:00:00.000Z',
    );
  });
});
