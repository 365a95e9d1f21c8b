// The cap on MariaDB connections shared by every app of a sogoms-db process (many-tenants issue, item 1): slots
// taken and given back, the oldest idle connection of any app closed to make room, waiters served oldest
// first, and the saturation that /health and `sogoctl status` report.
import { describe, expect, it } from 'vitest';
import {
  ConnectionBudget,
  DEFAULT_MAX_CONNECTIONS,
  type IdleHolder,
  SATURATION_MEMORY_MS,
  type SlotWaiter,
} from '../src/drivers/connection-budget.js';

/** An app's pool as the budget sees it: idle connections with the time each went idle. */
class FakePool implements IdleHolder {
  dropped = 0;
  constructor(public idleSince: number[] = []) {}
  get idleCount(): number {
    return this.idleSince.length;
  }
  oldestIdleSince(): number | undefined {
    return this.idleSince.length > 0 ? Math.min(...this.idleSince) : undefined;
  }
  dropOldestIdle(): void {
    const oldest = this.oldestIdleSince();
    this.idleSince.splice(this.idleSince.indexOf(oldest!), 1);
    this.dropped++;
  }
}

const waiter = (budget: ConnectionBudget, accepts = true): SlotWaiter & { granted: number } => {
  const w = {
    seq: budget.nextSeq(),
    granted: 0,
    grant() {
      if (accepts) w.granted++;
      return accepts;
    },
  };
  return w;
};

describe('ConnectionBudget', () => {
  it('defaults to 100 connections per process (200 apps fit under max_connections 151) and refuses a cap < 1', () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBe(100);
    expect(new ConnectionBudget().max).toBe(100);
    expect(() => new ConnectionBudget(0)).toThrow(RangeError);
    expect(() => new ConnectionBudget(1.5)).toThrow(RangeError);
  });

  it('hands out at most max slots, then closes the oldest idle connection of any app to make room', () => {
    const budget = new ConnectionBudget(2);
    const a = new FakePool([30]);
    const b = new FakePool([10, 20]);
    budget.register(a);
    budget.register(b);
    expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(true);
    // Full: b's connection idle since 10 is the oldest of the process.
    expect(budget.take()).toBe(true);
    expect([a.dropped, b.dropped]).toEqual([0, 1]);
    expect(b.idleSince).toEqual([20]);
    expect(budget.stats()).toMatchObject({ max: 2, open: 2 });
    budget.unregister(a);
    budget.unregister(b);
    expect(budget.take()).toBe(false);
  });

  it('gives a released slot to the oldest waiter that can still use it, else back to the free ones', () => {
    const budget = new ConnectionBudget(1);
    expect(budget.take()).toBe(true);
    const gone = waiter(budget, false);
    const first = waiter(budget);
    const second = waiter(budget);
    budget.enqueue(gone);
    budget.enqueue(first);
    budget.enqueue(second);
    expect(budget.headSeq()).toBe(gone.seq);
    budget.release();
    expect([first.granted, second.granted]).toEqual([1, 0]);
    expect(budget.headSeq()).toBe(second.seq);
    budget.remove(second);
    expect(budget.headSeq()).toBeUndefined();
    budget.release();
    expect(budget.stats().open).toBe(0);
    expect(budget.take()).toBe(true);
  });

  it('evictOne closes an idle connection and frees its slot for the caller the server refused', () => {
    const budget = new ConnectionBudget(3);
    const pool = new FakePool([5]);
    budget.register(pool);
    budget.take();
    expect(budget.evictOne()).toBe(true);
    expect(budget.stats().open).toBe(0);
    expect(budget.evictOne()).toBe(false);
  });

  it('reports use, waits, refusals and timeouts, and stays saturated a minute after the last one', () => {
    let now = 1_000_000;
    const budget = new ConnectionBudget(4, () => now);
    const pool = new FakePool([1, 2]);
    budget.register(pool);
    budget.take();
    budget.take();
    budget.take();
    expect(budget.stats()).toEqual({
      max: 4,
      open: 3,
      in_use: 1,
      idle: 2,
      waiting: 0,
      refused: 0,
      wait_timeouts: 0,
      saturated: false,
    });
    budget.noteRefused();
    budget.noteWaitTimeout();
    expect(budget.stats()).toMatchObject({ refused: 1, wait_timeouts: 1, saturated: true });
    now += SATURATION_MEMORY_MS - 1;
    expect(budget.stats().saturated).toBe(true);
    now += 1;
    expect(budget.stats().saturated).toBe(false);
    // A call waiting right now is saturation whatever the clock says; so is a queued one when it arrives.
    budget.waiting = 1;
    expect(budget.stats().saturated).toBe(true);
    budget.waiting = 0;
    budget.enqueue(waiter(budget));
    expect(budget.stats().saturated).toBe(true);
  });
});
