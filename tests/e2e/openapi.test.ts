// Phase 15, item 6, on the real platform (bin/sogoctl, SQLite): the app's GET /api/openapi.json, fetched
// without a token on the app's Host, validates as OpenAPI 3.1, and every path+method in it answers as documented
// — the walk calls each one with a token and checks the status is among that operation's responses.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '../helpers/platform.js';

interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
  security?: unknown[];
}
type PathItem = Record<string, Operation | unknown[]>;
interface Doc {
  servers: { url: string }[];
  paths: Record<string, PathItem>;
}

let p: Platform;
let token: string;

beforeAll(async () => {
  p = await startPlatform({ driver: 'sqlite' });
  const reg = await p.request('POST', '/api/auth/register', {
    body: { email: 'walker@example.com', password: 'correct-horse', name: 'Walker' },
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  token = (reg.body.data as { token: string }).token;
  const project = await p.request('POST', '/api/projects', { token, body: { name: 'Walk' } });
  expect(project.status).toBe(201);
  const task = await p.request('POST', '/api/tasks', { token, body: { title: 'Walk', project_id: 1 } });
  expect(task.status).toBe(201);
}, 60_000);
afterAll(async () => {
  await p?.stop();
});

/** Reads, then writes, then deletes; the calls that end the session come last. */
const ORDER = ['get', 'post', 'put', 'delete'];
const LAST = ['/auth/logout', '/auth/password/change'];

describe('GET /api/openapi.json on the platform', () => {
  it('validates as OpenAPI 3.1, and every path+method answers with a documented status', async () => {
    const res = await p.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as unknown as Doc;
    const validation = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(validation.errors).toBeUndefined();
    expect(validation.valid).toBe(true);

    const calls: { path: string; method: string; op: Operation }[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (ORDER.includes(method)) calls.push({ path, method, op: op as Operation });
      }
    }
    const rank = (c: { path: string; method: string }) =>
      (LAST.includes(c.path) ? 10 : 0) + ORDER.indexOf(c.method);
    calls.sort((a, b) => rank(a) - rank(b));
    expect(calls.length).toBeGreaterThan(20);

    const seen: string[] = [];
    for (const { path, method, op } of calls) {
      const url = doc.servers[0]!.url + path.replace('{id}', '1');
      const body = method === 'post' || method === 'put' ? {} : undefined;
      const answer = await p.request(method.toUpperCase(), url, { token, body });
      const documented = Object.keys(op.responses);
      expect({ path, method, status: answer.status, ok: documented.includes(String(answer.status)) }).toEqual(
        {
          path,
          method,
          status: answer.status,
          ok: true,
        },
      );
      // Lists and shows of a row the caller owns answer their documented success.
      if (method === 'get' && !path.startsWith('/auth') && !path.includes('{id}'))
        expect(answer.status).toBe(200);
      seen.push(`${method.toUpperCase()} ${path} ${answer.status}`);
    }
    expect(seen).toContain('GET /tasks/{id} 200');
    expect(seen).toContain('GET /auth/me 200');
  }, 60_000);
});
