// Backing services failing or gone: 503 within the request timeout, never a hang; events and error reports
// never fail a request, and a stalled sogoms-logs costs a bounded number of calls in flight; GET /health
// answers 200 as long as the gateway serves, and reports each service.
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, PASSWORD, startFixture } from './helpers/fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('backing services', () => {
  it('db service gone → 503 SERVICE_UNAVAILABLE at once, and reported to sogoms-logs', async () => {
    f = await startFixture();
    const { token } = await f.register('a@example.com', 'A');
    await f.db.server.close(0);
    const res = await f.request({ url: '/api/projects', token, headers: { 'x-request-id': 'db-down-1' } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' },
    });
    const login = await f.request({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: 'a@example.com', password: PASSWORD },
    });
    expect(login.status).toBe(503);
    const report = await f.logs.waitFor(
      'log_error',
      (p) => (p.context as { request_id?: string }).request_id === 'db-down-1',
    );
    expect(report.params).toMatchObject({
      app_id: 'prokov',
      level: 'error',
      context: { code: 'SERVICE_UNAVAILABLE' },
    });
  });

  it('db service not answering → 503 once the request timeout has passed', async () => {
    f = await startFixture({ requestTimeoutMs: 300 });
    const { token } = await f.register('a@example.com', 'A');
    f.db.hang = true;
    const res = await f.request({ url: '/api/projects', token });
    expect(res.status).toBe(503);
    expect(res.body.error?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('db errors that mean "unavailable" → 503', async () => {
    f = await startFixture();
    const { token } = await f.register('a@example.com', 'A');
    // The db service does not know this app (its config lags behind the gateway's).
    f.db.databases.delete('prokov');
    const res = await f.request({ url: '/api/projects', token });
    expect(res.status).toBe(503);
    expect(res.body.error?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('sogoms-logs gone: login, register and logout still succeed', async () => {
    f = await startFixture();
    await f.logs.server.close(0);
    const { token } = await f.register('a@example.com', 'A');
    expect(
      (
        await f.request({
          method: 'POST',
          url: '/api/auth/login',
          body: { email: 'a@example.com', password: PASSWORD },
        })
      ).status,
    ).toBe(200);
    expect((await f.request({ method: 'POST', url: '/api/auth/logout', token })).status).toBe(200);
    await expect.poll(() => f!.logged.some((l) => l.msg === 'event not logged')).toBe(true);
  });

  it('issue 1: a 5xx on a huge URL is reported with the URL clipped, to sogoms-logs and to the gateway log', async () => {
    f = await startFixture();
    const { token } = await f.register('a@example.com', 'A');
    await f.db.server.close(0);
    const secret = 'x'.repeat(5_000);
    const res = await f.request({
      url: `/api/projects?q=${secret}`,
      token,
      headers: { 'x-request-id': 'long-url-1' },
    });
    expect(res.status).toBe(503);
    const report = await f.logs.waitFor(
      'log_error',
      (p) => (p.context as { request_id?: string }).request_id === 'long-url-1',
    );
    const sent = JSON.stringify(report.params);
    expect(sent.length).toBeLessThan(1_000);
    expect((report.params.context as { url: string }).url).toMatch(/^\/api\/projects\?q=x+…\[\+\d+ chars\]$/);
    const own = f.logged.find((l) => l.level === 'error');
    expect(JSON.stringify(own).length).toBeLessThan(1_000);
  });

  it('issue 1: an event carrying a user value (login_failed email) is sent clipped', async () => {
    f = await startFixture();
    const email = `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`;
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/login',
      body: { email, password: 'not-the-password' },
    });
    expect(res.status).toBe(401);
    const event = await f.logs.waitFor('log_event', (p) => p.event === 'login_failed');
    const logged = (event.params.data as { email: string }).email;
    expect(logged.startsWith(email.slice(0, 128))).toBe(true);
    expect(logged).toMatch(/…\[\+123 chars\]$/);
  });

  it('sogoms-logs failing: a 5xx is still answered', async () => {
    f = await startFixture();
    const { token } = await f.register('a@example.com', 'A');
    f.logs.failWith = 'LOG_WRITE_ERROR';
    await f.db.server.close(0);
    expect((await f.request({ url: '/api/projects', token })).status).toBe(503);
  });
});

describe('GET /health', () => {
  it('answers 200 with the version and every service, without a known Host', async () => {
    f = await startFixture();
    const res = await f.request({ url: '/health', host: 'anything.example' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'OK',
      data: {
        version: '9.9.9-test',
        status: 'ok',
        services: { db: 'ok', logs: 'ok', smtp: 'ok' },
        databases: { ok: 2, down: 0 },
        log_calls: { in_flight: 0, dropped: 0, failed: 0 },
      },
    });
  });

  it('counts app databases that are down without naming the apps, and stays 200', async () => {
    f = await startFixture();
    f.db.down.add('prokov');
    const res = await f.request({ url: '/health', host: 'anything.example' });
    // A gateway restart would not bring a database back: sogoctl must keep seeing a healthy gateway.
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'degraded',
      services: { db: 'ok' },
      databases: { ok: 1, down: 1 },
    });
    expect(res.raw).not.toContain('prokov');
  });

  it('issue 12 of hardening: a sogoms-logs that answers degraded (unwritable logs) makes /health degraded, not ok', async () => {
    f = await startFixture();
    f.logs.healthAnswer = { status: 'degraded', problems: [{ path: '/var/log/sogoms', error: 'EACCES' }] };
    const res = await f.request({ url: '/health', host: 'anything.example' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'degraded', services: { db: 'ok', logs: 'degraded' } });
    f.logs.healthAnswer = { status: 'ok' };
    const again = await f.request({ url: '/health', host: 'anything.example' });
    expect(again.body.data).toMatchObject({ status: 'ok', services: { logs: 'ok' } });
  });

  it('many tenants: reports sogoms-db saturation (waiting calls, refused connections) as degraded, not ok', async () => {
    f = await startFixture();
    f.db.connections = {
      max: 100,
      open: 100,
      in_use: 100,
      idle: 0,
      waiting: 7,
      refused: 2,
      wait_timeouts: 1,
      saturated: true,
    };
    const res = await f.request({ url: '/health', host: 'anything.example' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'degraded',
      databases: { ok: 2, down: 0 },
      db_connections: { max: 100, open: 100, waiting: 7, refused: 2, wait_timeouts: 1, saturated: true },
    });
    f.db.connections = {
      max: 100,
      open: 3,
      in_use: 1,
      idle: 2,
      waiting: 0,
      refused: 0,
      wait_timeouts: 0,
      saturated: false,
    };
    expect((await f.request({ url: '/health' })).body.data).toMatchObject({
      status: 'ok',
      db_connections: { open: 3, waiting: 0, saturated: false },
    });
  });

  it('issue 9: stays 200 (status degraded) when smtp, logs or db is down: backends are reported, not fatal', async () => {
    f = await startFixture();
    await f.smtp.server.close(0);
    const smtpDown = await f.request({ url: '/health' });
    expect(smtpDown.status).toBe(200);
    expect(smtpDown.body.data).toMatchObject({
      status: 'degraded',
      services: { db: 'ok', logs: 'ok', smtp: 'down' },
    });
    await f.logs.server.close(0);
    const logsDown = await f.request({ url: '/health' });
    expect(logsDown.status).toBe(200);
    expect(logsDown.body.data).toMatchObject({ status: 'degraded', services: { logs: 'down' } });
    await f.db.server.close(0);
    const allDown = await f.request({ url: '/health' });
    expect(allDown.status).toBe(200);
    expect(allDown.body).toEqual({
      success: true,
      message: 'OK',
      data: {
        version: '9.9.9-test',
        status: 'degraded',
        services: { db: 'down', logs: 'down', smtp: 'down' },
        log_calls: { in_flight: 0, dropped: 0, failed: 0 },
      },
    });
  });

  it('issue 9: sogoms-logs stalled (never answers) → /health 200 with logs down, and requests keep being served', async () => {
    f = await startFixture({ requestTimeoutMs: 30_000 });
    const { token } = await f.register('stall@example.com', 'S');
    await f.logs.waitFor('log_event', (p) => p.event === 'register');
    f.logs.hang = true;
    const health = await f.request({ url: '/health' });
    expect(health.status).toBe(200);
    expect(health.body.data).toMatchObject({ status: 'degraded', services: { db: 'ok', logs: 'down' } });
    // Each of these sends an event to the stalled sogoms-logs, and none waits for it.
    const login = await f.request({
      method: 'POST',
      url: '/api/auth/login',
      body: { email: 'stall@example.com', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect((await f.register('stall2@example.com', 'S2')).token).toBeTruthy();
    const created = await f.request({ method: 'POST', url: '/api/projects', token, body: { name: 'P' } });
    expect(created.status).toBe(201);
    expect((await f.request({ url: '/api/projects', token })).status).toBe(200);
    const after = await f.request({ url: '/health' });
    expect((after.body.data as { log_calls: object }).log_calls).toEqual({
      in_flight: 2,
      dropped: 0,
      failed: 0,
    });
  });

  it('issue 9: calls to a stalled sogoms-logs beyond the in-flight bound are dropped and counted, not queued', async () => {
    f = await startFixture({ requestTimeoutMs: 30_000, logsMaxInFlight: 2 });
    await f.register('bound@example.com', 'B');
    await f.logs.waitFor('log_event', (p) => p.event === 'register');
    f.logs.hang = true;
    for (let i = 0; i < 5; i++) {
      const res = await f.request({
        method: 'POST',
        url: '/api/auth/login',
        body: { email: 'bound@example.com', password: PASSWORD },
      });
      expect(res.status).toBe(200);
    }
    const health = await f.request({ url: '/health' });
    expect(health.status).toBe(200);
    expect((health.body.data as { log_calls: object }).log_calls).toEqual({
      in_flight: 2,
      dropped: 3,
      failed: 0,
    });
    // One warning, not one per dropped call (the clock stands still).
    expect(f.logged.filter((l) => l.msg === 'event not logged')).toHaveLength(1);
  });

  it('reports smtp as absent when the gateway has no smtp client', async () => {
    f = await startFixture({ withoutSmtp: true });
    const res = await f.request({ url: '/health' });
    expect(res.status).toBe(200);
    expect((res.body.data as { services: object }).services).toEqual({
      db: 'ok',
      logs: 'ok',
      smtp: 'absent',
    });
  });
});
