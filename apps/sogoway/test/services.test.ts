// Backing services failing or gone: 503 within the request timeout, never a hang; events and error reports
// never fail a request; GET /health reports each service.
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
        services: { db: 'ok', logs: 'ok', smtp: 'ok' },
        databases: { ok: 2, down: 0 },
      },
    });
  });

  it('counts app databases that are down without naming the apps, and stays 200', async () => {
    f = await startFixture();
    f.db.down.add('prokov');
    const res = await f.request({ url: '/health', host: 'anything.example' });
    // A gateway restart would not bring a database back: sogoctl must keep seeing a healthy gateway.
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ services: { db: 'ok' }, databases: { ok: 1, down: 1 } });
    expect(res.raw).not.toContain('prokov');
  });

  it('answers 503 when db is down, 503 when logs is down, 200 when only smtp is down', async () => {
    f = await startFixture();
    await f.smtp.server.close(0);
    const smtpDown = await f.request({ url: '/health' });
    expect(smtpDown.status).toBe(200);
    expect((smtpDown.body.data as { services: object }).services).toEqual({
      db: 'ok',
      logs: 'ok',
      smtp: 'down',
    });
    await f.logs.server.close(0);
    const logsDown = await f.request({ url: '/health' });
    expect(logsDown.status).toBe(503);
    expect(logsDown.body.error).toEqual({ code: 'SERVICE_UNAVAILABLE', message: 'Unavailable: logs' });
    await f.db.server.close(0);
    const bothDown = await f.request({ url: '/health' });
    expect(bothDown.status).toBe(503);
    expect(bothDown.body.data).toEqual({
      version: '9.9.9-test',
      services: { db: 'down', logs: 'down', smtp: 'down' },
    });
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
