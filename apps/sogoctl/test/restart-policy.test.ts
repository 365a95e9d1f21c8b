import { describe, expect, it } from 'vitest';
import { BACKOFF_RESET_MS, MAX_BACKOFF_MS, RestartPolicy } from '../src/supervisor/restart.js';

const delays = (policy: RestartPolicy, times: number[]) =>
  times.map((t) => {
    const d = policy.onFailure(t, 0);
    return d.fatal ? 'fatal' : d.delayMs;
  });

describe('RestartPolicy', () => {
  it('doubles the delay on consecutive failures, up to the ceiling', () => {
    const policy = new RestartPolicy({ restartDelayMs: 1000, maxRestarts: 100, restartWindowMs: 10_000_000 });
    expect(delays(policy, [0, 1, 2, 3, 4, 5, 6])).toEqual([
      1000,
      2000,
      4000,
      8000,
      16000,
      MAX_BACKOFF_MS,
      30000,
    ]);
  });

  it('declares FATAL on the failure after max_restarts restarts within the window', () => {
    const policy = new RestartPolicy({ restartDelayMs: 100, maxRestarts: 3, restartWindowMs: 60_000 });
    expect(delays(policy, [0, 1000, 2000, 3000])).toEqual([100, 200, 400, 'fatal']);
  });

  it('forgets restarts older than the window', () => {
    const policy = new RestartPolicy({ restartDelayMs: 100, maxRestarts: 2, restartWindowMs: 10_000 });
    expect(delays(policy, [0, 1000, 20_000])).toEqual([100, 200, 400]);
  });

  it('keeps the backoff under window / (max_restarts + 1) so a crash loop reaches FATAL', () => {
    const policy = new RestartPolicy({ restartDelayMs: 2000, maxRestarts: 5, restartWindowMs: 60_000 });
    let t = 0;
    const out: (number | string)[] = [];
    for (let i = 0; i < 6; i++) {
      const d = policy.onFailure(t, 0);
      out.push(d.fatal ? 'fatal' : d.delayMs);
      if (!d.fatal) t += d.delayMs;
    }
    expect(out).toEqual([2000, 4000, 8000, 10_000, 10_000, 'fatal']);
  });

  it('starts again from the base delay after a long healthy run, and reset() clears everything', () => {
    const policy = new RestartPolicy({ restartDelayMs: 100, maxRestarts: 3, restartWindowMs: 1_000_000 });
    expect(delays(policy, [0, 1])).toEqual([100, 200]);
    const after = policy.onFailure(2, BACKOFF_RESET_MS);
    expect(after).toEqual({ fatal: false, delayMs: 100 });
    expect(policy.onFailure(3, 0).fatal).toBe(true);
    policy.reset();
    expect(policy.onFailure(4, 0)).toEqual({ fatal: false, delayMs: 100 });
  });

  it('with max_restarts 0, the first failure is FATAL', () => {
    const policy = new RestartPolicy({ restartDelayMs: 100, maxRestarts: 0, restartWindowMs: 60_000 });
    expect(policy.onFailure(0, 0).fatal).toBe(true);
  });
});
