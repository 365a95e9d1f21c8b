// The gateway's side of push: change events leave in batches, at most one `publish` call per BATCH_WINDOW_MS,
// so that sogoms-push and the broker wake up once per batch instead of once per create; a lone event still leaves
// on the next turn, and what cannot be handed over is counted, never awaited by a request.
import type { PushEvent } from '@sogoms/push';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BATCH_WINDOW_MS, MAX_BATCH, PUSH_MAX_IN_FLIGHT, PushSender } from '../src/push/sender.js';

const event = (id: number): PushEvent => ({
  app: 'demo',
  resource: 'tasks',
  action: 'create',
  id,
  user_id: 7,
  at: '2026-01-01T00:00:00.000Z',
});

interface Call {
  ids: number[];
  answer(error?: Error): void;
}

function sender(maxQueued = 10_000) {
  const calls: Call[] = [];
  const warnings: string[] = [];
  const service = {
    call: (_action: string, params?: object) =>
      new Promise<never>((resolve, reject) => {
        const events = (params as { events: PushEvent[] }).events;
        calls.push({
          ids: events.map((e) => e.id),
          answer: (error) => (error ? reject(error) : resolve(undefined as never)),
        });
      }),
  };
  const push = new PushSender({
    service,
    logger: {
      info: () => undefined,
      warn: (_o: unknown, m: string) => warnings.push(m),
      error: () => undefined,
    },
    now: () => Date.now(),
    timeoutMs: 1_000,
    maxQueued,
  });
  return { push, calls, warnings };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the answered calls' promise callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('PushSender batching', () => {
  it('a lone event leaves on the next turn', async () => {
    const { push, calls } = sender();
    push.send(event(1));
    expect(calls).toHaveLength(0); // never in the request's own turn
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.ids)).toEqual([[1]]);
  });

  it('events arriving within the window after a call join one call when the window ends', async () => {
    const { push, calls } = sender();
    push.send(event(1));
    await vi.advanceTimersByTimeAsync(0);
    calls[0]!.answer();
    for (let id = 2; id <= 6; id++) {
      push.send(event(id));
      await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS / 5 - 0.01);
    }
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS);
    expect(calls.map((c) => c.ids)).toEqual([[1], [2, 3, 4, 5, 6]]);
  });

  it('an event after a quiet window leaves on the next turn again', async () => {
    const { push, calls } = sender();
    push.send(event(1));
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS + 1);
    push.send(event(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.ids)).toEqual([[1], [2]]);
  });

  it('one call carries at most MAX_BATCH events, and at most PUSH_MAX_IN_FLIGHT calls wait for answers', async () => {
    const { push, calls } = sender();
    const total = MAX_BATCH * (PUSH_MAX_IN_FLIGHT + 2);
    for (let id = 1; id <= total; id++) push.send(event(id));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.ids.length)).toEqual(Array(PUSH_MAX_IN_FLIGHT).fill(MAX_BATCH));
    expect(push.stats().queued).toBe(2 * MAX_BATCH);
    calls[0]!.answer();
    await settle();
    await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS);
    expect(calls).toHaveLength(PUSH_MAX_IN_FLIGHT + 1);
    expect(calls.at(-1)!.ids[0]).toBe(PUSH_MAX_IN_FLIGHT * MAX_BATCH + 1);
    expect(push.stats()).toMatchObject({ sent: MAX_BATCH, queued: MAX_BATCH, dropped: 0, failed: 0 });
  });

  it('past maxQueued an event is dropped and counted; a failed call counts its events as failed', async () => {
    const { push, calls, warnings } = sender(2);
    push.send(event(1));
    push.send(event(2));
    push.send(event(3));
    expect(push.stats()).toMatchObject({ queued: 2, dropped: 1 });
    await vi.advanceTimersByTimeAsync(0);
    calls[0]!.answer(new Error('sogoms-push is gone'));
    await settle();
    expect(push.stats()).toEqual({ queued: 0, sent: 0, dropped: 1, failed: 2 });
    expect(warnings).toEqual(['change event dropped: too many waiting for sogoms-push']); // one per 10 s
  });

  it('without a push service, events are ignored at once', async () => {
    const push = new PushSender({
      service: undefined,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => 0,
      timeoutMs: 1_000,
      maxQueued: 10,
    });
    push.send(event(1));
    await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS);
    expect(push.stats()).toEqual({ queued: 0, sent: 0, dropped: 0, failed: 0 });
  });
});
