// Issue 1 (part): every value the gateway writes to a log is bounded, whatever its shape.
import { expect, it, describe as suite } from 'vitest';
import { boundValue, clip, describe, LOG_STACK_MAX, LOG_STRING_MAX } from '../src/logs/values.js';

suite('log value bounds', () => {
  it('clips a long string and says how much was left out; short ones are kept', () => {
    expect(clip('short')).toBe('short');
    const long = 'u'.repeat(LOG_STRING_MAX + 50);
    expect(clip(long)).toBe(`${'u'.repeat(LOG_STRING_MAX)}…[+50 chars]`);
  });

  it('bounds strings, arrays, keys and depth of any JSON-like value', () => {
    const bounded = boundValue({
      email: 'e'.repeat(10_000),
      list: Array.from({ length: 1_000 }, (_, i) => i),
      deep: { a: { b: { c: { d: { e: 'too deep' } } } } },
      count: 3,
      ok: true,
      none: null,
      ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])),
    });
    const text = JSON.stringify(bounded);
    expect(text.length).toBeLessThan(1_000);
    expect(bounded).toMatchObject({
      count: 3,
      ok: true,
      none: null,
      deep: { a: { b: { c: '[…]' } } },
      '…': '+86 keys',
    });
    expect((bounded as { list: unknown[] }).list).toHaveLength(21);
  });

  it('describes an error with its message and stack clipped', () => {
    const err = new TypeError(`bad value ${'v'.repeat(5_000)}`);
    const d = describe(err);
    expect(d.message.length).toBeLessThan(LOG_STRING_MAX + 20);
    expect(d.stack!.length).toBeLessThanOrEqual(LOG_STACK_MAX + 20);
    expect(d.stack!.startsWith(`TypeError: ${d.message}\n`)).toBe(true);
    expect(describe('x'.repeat(1_000)).message.length).toBeLessThan(LOG_STRING_MAX + 20);
  });
});
