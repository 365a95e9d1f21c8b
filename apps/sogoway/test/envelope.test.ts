// Every answer is the JSON envelope, whatever path produced it: fastify's own errors included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, type Response, startFixture } from './helpers/fixture.js';

let f: Fixture;
let token: string;

beforeAll(async () => {
  f = await startFixture();
  token = (await f.register('env@example.com', 'Env')).token;
});
afterAll(async () => {
  await f?.close();
});

function expectError(res: Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  // A DB_ERROR also names its request id (the errors log line with the database's message has it).
  const extra = code === 'DB_ERROR' ? { request_id: res.headers['x-request-id'] } : {};
  expect(res.body).toEqual({ success: false, error: { code, message: expect.any(String), ...extra } });
  expect(res.raw).not.toMatch(/at \w+ \(|\.ts:\d+|SELECT|INSERT|sqlite/i);
}

describe('error envelope', () => {
  it('unknown route under the base path → 404 NOT_FOUND', async () => {
    expectError(await f.request({ url: '/api/auth/nope' }), 404, 'NOT_FOUND');
    expectError(await f.request({ url: '/api' }), 404, 'NOT_FOUND');
    expectError(await f.request({ url: '/api/projects/1/tasks', token }), 404, 'NOT_FOUND');
  });

  it('path outside the base path → 404 NOT_FOUND', async () => {
    expectError(await f.request({ url: '/' }), 404, 'NOT_FOUND');
    expectError(await f.request({ url: '/apix/projects' }), 404, 'NOT_FOUND');
  });

  it('unknown resource (with a token) → 404 NOT_FOUND', async () => {
    expectError(await f.request({ url: '/api/nothing', token }), 404, 'NOT_FOUND');
    expectError(await f.request({ url: '/api/__proto__', token }), 404, 'NOT_FOUND');
    expectError(await f.request({ url: '/api/constructor/1', token }), 404, 'NOT_FOUND');
  });

  it('unknown host → 404 APP_NOT_FOUND, before the body is even read', async () => {
    expectError(await f.request({ url: '/api/projects', host: 'evil.test' }), 404, 'APP_NOT_FOUND');
    const res = await f.request({
      method: 'POST',
      url: '/api/auth/login',
      host: 'evil.test',
      body: 'not json',
      headers: { 'content-type': 'text/plain' },
    });
    expectError(res, 404, 'APP_NOT_FOUND');
  });

  it('regression: a gzip-encoded JSON body is refused with 415, not read as plain JSON', async () => {
    const { gzipSync } = await import('node:zlib');
    const res = await f.request({
      method: 'POST',
      url: '/api/projects',
      token,
      body: gzipSync(JSON.stringify({ name: 'zipped' })).toString('latin1'),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const plain = await f.request({
      method: 'POST',
      url: '/api/projects',
      token,
      body: JSON.stringify({ name: 'identity' }),
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
    });
    expect(plain.status).toBe(201);
  });

  it('non-JSON content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await f.request({
        method: 'POST',
        url: '/api/projects',
        token,
        body: 'name=x',
        headers: { 'content-type': type },
      });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('body over 1 MiB → 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
    expectError(
      await f.request({ method: 'POST', url: '/api/projects', token, body }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('a body just under 1 MiB is read (then refused for the name, not for its size)', async () => {
    const body = JSON.stringify({ name: 'y'.repeat(1024 * 1024 - 20) });
    const res = await f.request({ method: 'POST', url: '/api/projects', token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Field "name" is too long (max 150 characters)',
    });
  });

  it('malformed JSON → 400 VALIDATION_ERROR', async () => {
    const res = await f.request({ method: 'POST', url: '/api/projects', token, body: '{"name": ' });
    expectError(res, 400, 'VALIDATION_ERROR');
  });

  it('__proto__ / constructor.prototype keys → 400', async () => {
    for (const body of ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"x": 1}}}']) {
      expectError(
        await f.request({ method: 'POST', url: '/api/projects', token, body }),
        400,
        'VALIDATION_ERROR',
      );
    }
  });

  it('a JSON body that is not an object → 400', async () => {
    for (const body of ['[1,2]', '"text"', '42', 'null']) {
      expectError(
        await f.request({ method: 'POST', url: '/api/projects', token, body }),
        400,
        'VALIDATION_ERROR',
      );
    }
  });

  it('missing body on create → 400', async () => {
    expectError(await f.request({ method: 'POST', url: '/api/projects', token }), 400, 'VALIDATION_ERROR');
  });

  it('wrong method → 405 METHOD_NOT_ALLOWED with Allow', async () => {
    const res = await f.request({ method: 'PATCH', url: '/api/projects/1', token, body: { name: 'x' } });
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, PUT, DELETE');
    const onCollection = await f.request({ method: 'DELETE', url: '/api/projects', token });
    expectError(onCollection, 405, 'METHOD_NOT_ALLOWED');
    expect(onCollection.headers.allow).toBe('GET, POST');
    const auth = await f.request({ url: '/api/auth/login' });
    expectError(auth, 405, 'METHOD_NOT_ALLOWED');
    expect(auth.headers.allow).toBe('POST');
  });

  it('a database failure → 500 DB_ERROR without SQL text, reported to sogoms-logs with the request id', async () => {
    f.sql('ALTER TABLE tags RENAME TO tags_gone');
    try {
      const res = await f.request({ url: '/api/tags', token, headers: { 'x-request-id': 'trace-500-abc' } });
      expectError(res, 500, 'DB_ERROR');
      expect(res.body.error?.message).toBe('Database error');
      expect((res.body.error as { request_id?: string }).request_id).toBe('trace-500-abc');
      const report = await f.logs.waitFor('log_error', (p) => {
        const ctx = p.context as { request_id?: string } | undefined;
        return ctx?.request_id === 'trace-500-abc';
      });
      expect(report.params).toMatchObject({ app_id: 'prokov', level: 'error' });
      expect(report.id.startsWith('trace-500-abc')).toBe(true);
    } finally {
      f.sql('ALTER TABLE tags_gone RENAME TO tags');
    }
  });
});

describe('X-Request-Id', () => {
  it('is generated when absent, and echoed', async () => {
    const res = await f.request({ url: '/api/projects', token });
    expect(res.headers['x-request-id']).toMatch(/^req_\d{14}\.\d{6}/);
  });

  it('keeps a safe client id, echoes it on errors, and uses it as the protocol request id', async () => {
    const res = await f.request({
      url: '/api/projects',
      token,
      headers: { 'x-request-id': 'client-id.42:x' },
    });
    expect(res.headers['x-request-id']).toBe('client-id.42:x');
    expect(f.db.statements.some((s) => s.id === 'client-id.42:x')).toBe(true);
    const notFound = await f.request({ url: '/nope', headers: { 'x-request-id': 'abc-404' } });
    expect(notFound.headers['x-request-id']).toBe('abc-404');
    const unknownHost = await f.request({
      url: '/api',
      host: 'x.test',
      headers: { 'x-request-id': 'abc-host' },
    });
    expect(unknownHost.headers['x-request-id']).toBe('abc-host');
  });

  it('replaces an unsafe or too long client id', async () => {
    for (const bad of ['has space', 'x'.repeat(200), 'semi;colon', 'quote"']) {
      const res = await f.request({ url: '/api/projects', token, headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id']).not.toBe(bad);
      expect(res.headers['x-request-id']).toMatch(/^req_/);
    }
  });
});

describe('success envelope', () => {
  it('has success, message and data (and meta for lists)', async () => {
    const res = await f.request({ url: '/api/projects', token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['success', 'message', 'data', 'meta']);
    expect(res.body).toMatchObject({
      success: true,
      message: 'OK',
      meta: { limit: 50, offset: 0, next: null },
    });
  });
});
