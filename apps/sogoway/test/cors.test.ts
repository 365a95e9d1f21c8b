// CORS per app (`cors:` in routes/{app}.yaml), over real HTTP: a browser's preflight OPTIONS used to need a
// token (401), so no page on another origin could call the API; every answer of an allowed origin, errors
// included, must carry Access-Control-Allow-Origin, and apps without `cors:` must not.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, HOST, OTHER_HOST, startFixture } from './helpers/fixture.js';

const ALLOWED = 'https://app.example.com';

interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('CORS', () => {
  let f: Fixture;
  let port: number;
  beforeAll(async () => {
    f = await startFixture({
      prokovRoutes: `cors:\n  origins: [${ALLOWED}, "http://localhost:5173"]\n  max_age: 5m\n`,
      prokovAuth: '  rate_limit:\n    login_per_ip: 1\n    login_per_ip_window: 1h',
    });
    await f.gateway.listen({ port: 0, host: '127.0.0.1' });
    port = (f.gateway.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await f?.close();
  });

  const preflight = (origin: string, host = HOST, path = '/api/projects') =>
    call(port, 'OPTIONS', path, {
      host,
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    });

  it('bug: a preflight OPTIONS without a token answered 401; it now answers 204 with the CORS headers', async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type');
    expect(res.headers['access-control-max-age']).toBe('300');
    expect(res.headers.vary).toContain('Origin');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    // Any path of the app, even one the router does not know: the preflight never reaches it.
    expect((await preflight('http://localhost:5173', HOST, '/api/auth/login')).status).toBe(204);
    expect((await preflight(ALLOWED, HOST, '/api/no-such-resource/7')).status).toBe(204);
  });

  it('a preflight from an origin not listed gets no CORS header at all (the browser blocks), and a 404', async () => {
    const res = await preflight('https://evil.example.net');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('errors (401, 404, 429) carry Access-Control-Allow-Origin and expose X-Request-Id and Retry-After', async () => {
    const headers = { host: HOST, origin: ALLOWED, 'content-type': 'application/json' };
    const unauthorized = await call(port, 'GET', '/api/projects', headers);
    const notFound = await call(port, 'GET', '/api/auth/no-such-route', headers);
    const login = JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password-1' });
    await call(port, 'POST', '/api/auth/login', { ...headers, 'x-forwarded-for': '10.9.9.9' }, login);
    const limited = await call(
      port,
      'POST',
      '/api/auth/login',
      { ...headers, 'x-forwarded-for': '10.9.9.9' },
      login,
    );
    for (const [res, status] of [
      [unauthorized, 401],
      [notFound, 404],
      [limited, 429],
    ] as const) {
      expect(res.status).toBe(status);
      expect(JSON.parse(res.body).success).toBe(false);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
      expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
    }
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it('a successful call from an allowed origin carries the headers; one from another origin does not', async () => {
    const user = await f.register('cors@example.com', 'Cors');
    const ok = await call(port, 'GET', '/api/projects', {
      host: HOST,
      origin: ALLOWED,
      authorization: `Bearer ${user.token}`,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
    const other = await call(port, 'GET', '/api/projects', {
      host: HOST,
      origin: 'https://evil.example.net',
      authorization: `Bearer ${user.token}`,
    });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an app without cors: sends no CORS headers and does not answer preflights', async () => {
    const res = await preflight(ALLOWED, OTHER_HOST);
    expect(res.status).not.toBe(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await call(port, 'GET', '/api/projects', { host: OTHER_HOST, origin: ALLOWED });
    expect(get.status).toBe(401);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with origins "*" and credentials', () => {
  it('"*" answers Access-Control-Allow-Origin: *; credentials: true adds Allow-Credentials', async () => {
    for (const [yaml, origin, expected, credentials] of [
      ['cors: { origins: ["*"] }\n', 'https://anyone.test', '*', undefined],
      [`cors: { origins: [${ALLOWED}], credentials: true }\n`, ALLOWED, ALLOWED, 'true'],
    ] as const) {
      const f = await startFixture({ prokovRoutes: yaml });
      try {
        const res = await f.request({
          method: 'OPTIONS',
          url: '/api/tasks/3',
          headers: { origin, 'access-control-request-method': 'DELETE' },
        });
        expect(res.status).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBe(expected);
        expect(res.headers['access-control-allow-credentials']).toBe(credentials);
        expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
        // The options depend on the app and the origin, so the answer always varies by Origin.
        expect(String(res.headers.vary ?? '')).toContain('Origin');
      } finally {
        await f.close();
      }
    }
  });
});
