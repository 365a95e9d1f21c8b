// Login and register rate limits (SPEC §5): 429 RATE_LIMITED with Retry-After, windows that end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedWindowLimiter } from '../src/auth/rate-limit.js';
import { type Fixture, PASSWORD, startFixture } from './helpers/fixture.js';

describe('FixedWindowLimiter', () => {
  it('allows `limit` hits per window, then refuses until the window ends', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter(() => now);
    for (let i = 0; i < 3; i++) expect(limiter.hit('k', 3, 10_000).allowed).toBe(true);
    const refused = limiter.hit('k', 3, 10_000);
    expect(refused).toEqual({ allowed: false, retryAfterS: 10 });
    now += 9_001;
    expect(limiter.hit('k', 3, 10_000)).toEqual({ allowed: false, retryAfterS: 1 });
    now += 999;
    expect(limiter.hit('k', 3, 10_000).allowed).toBe(true);
  });

  it('check() does not count; reset() forgets', () => {
    const limiter = new FixedWindowLimiter(() => 0);
    limiter.hit('k', 1, 1000);
    expect(limiter.check('k', 1, 1000).allowed).toBe(false);
    expect(limiter.check('other', 1, 1000).allowed).toBe(true);
    expect(limiter.size).toBe(1);
    limiter.reset('k');
    expect(limiter.check('k', 1, 1000).allowed).toBe(true);
  });

  it('sweeps expired windows so memory stays bounded', () => {
    let now = 0;
    const limiter = new FixedWindowLimiter(() => now);
    for (let i = 0; i < 2000; i++) limiter.hit(`k${i}`, 1, 1000);
    now = 5000;
    for (let i = 0; i < 1100; i++) limiter.hit(`fresh${i}`, 1, 1000);
    expect(limiter.size).toBeLessThan(1200);
  });
});

describe('gateway rate limits', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({
      prokovAuth: `  rate_limit:
    login_failures_per_email: 3
    login_failures_window: 15m
    login_per_ip: 5
    login_per_ip_window: 1m
    register_per_ip: 2
    register_per_ip_window: 1h`,
    });
    await f.register('victim@example.com', 'Victim');
    await f.register('other@example.com', 'Other');
  });
  afterAll(async () => {
    await f?.close();
  });

  const login = (email: string, password: string, ip: string) =>
    f.request({ method: 'POST', url: '/api/auth/login', body: { email, password }, ip });

  it('locks an email after N failed logins, from any address, even with the right password', async () => {
    for (let i = 0; i < 3; i++)
      expect((await login('victim@example.com', 'wrong', `10.1.0.${i}`)).status).toBe(401);
    const locked = await login('victim@example.com', PASSWORD, '10.1.0.9');
    expect(locked.status).toBe(429);
    expect(locked.body.error).toEqual({ code: 'RATE_LIMITED', message: expect.any(String) });
    expect(locked.headers['retry-after']).toBe('900');
    // Case variants are the same email.
    expect((await login('VICTIM@example.com', PASSWORD, '10.1.0.10')).status).toBe(429);
    // Another email is not affected.
    expect((await login('other@example.com', PASSWORD, '10.1.0.11')).status).toBe(200);
    f.now += 15 * 60_000;
    expect((await login('victim@example.com', PASSWORD, '10.1.0.12')).status).toBe(200);
  });

  it('a successful login clears the failures of its email', async () => {
    for (let i = 0; i < 2; i++) await login('other@example.com', 'wrong', `10.2.0.${i}`);
    expect((await login('other@example.com', PASSWORD, '10.2.0.5')).status).toBe(200);
    for (let i = 0; i < 2; i++) await login('other@example.com', 'wrong', `10.2.1.${i}`);
    expect((await login('other@example.com', PASSWORD, '10.2.1.5')).status).toBe(200);
  });

  it('limits login requests per client address', async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 5; i++) expect((await login(`nobody${i}@example.com`, 'x', ip)).status).toBe(401);
    const res = await login('other@example.com', PASSWORD, ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login('other@example.com', PASSWORD, '10.3.0.2')).status).toBe(200);
    f.now += 60_000;
    expect((await login('other@example.com', PASSWORD, ip)).status).toBe(200);
  });

  it('limits registrations per client address', async () => {
    const ip = '10.4.0.1';
    const register = (email: string) =>
      f.request({
        method: 'POST',
        url: '/api/auth/register',
        body: { email, password: PASSWORD, name: 'R' },
        ip,
      });
    expect((await register('r1@example.com')).status).toBe(201);
    expect((await register('r2@example.com')).status).toBe(201);
    const third = await register('r3@example.com');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('3600');
    expect(f.sql('SELECT id FROM users WHERE email = ?', ['r3@example.com'])).toEqual([]);
    f.now += 3_600_000;
    expect((await register('r3@example.com')).status).toBe(201);
  });

  it('can be switched off per app', async () => {
    const g = await startFixture({ prokovAuth: '  rate_limit:\n    enabled: false\n    login_per_ip: 1' });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await g.request({
          method: 'POST',
          url: '/api/auth/login',
          body: { email: 'x@example.com', password: 'y' },
          ip: '10.9.9.9',
        });
        expect(res.status).toBe(401);
      }
    } finally {
      await g.close();
    }
  });
});
