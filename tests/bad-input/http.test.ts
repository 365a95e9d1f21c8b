// Issue 6, bad input: malformed HTTP to every gateway route, on SQLite and on MariaDB — broken JSON, bodies that
// are arrays or scalars, wrong types, huge numbers (1e400, 2^64), unicode, deep nesting, bad ids and query
// strings, wrong methods, odd content types, huge headers, broken HTTP framing — plus a seeded random set
// (SOGOMS_FUZZ_SEED replays it). Every answer is the JSON envelope, never a 5xx, never SQL text or a stack;
// the gateway is still the same healthy process afterwards.
//
// Huge headers: Node's HTTP parser refuses them before any route runs. Node would answer a bare 431 itself, but
// the gateway installs a clientError handler that answers 400 in the envelope; either status is accepted here
// as long as the body is the envelope.
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { HOST, type HttpResult, type Platform, startPlatform } from '../helpers/platform.js';
import { fixedCases, type HttpCase, randomCases, rawCases } from './support/http-cases.js';
import { fuzzSeed, Rng } from './support/random.js';
import { rawRequest } from './support/raw-http.js';

const RANDOM_CASES = 300;
const CONCURRENCY = 8;
const LEAK = /\bSELECT\b|\bINSERT INTO\b|\bDELETE FROM\b|\bER_[A-Z_]+|SQLITE_|\n\s+at |node_modules/;

/** What is wrong with an answer, or undefined. */
function verdict(expectKind: 'reject' | 'any', status: number, body: unknown): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (expectKind === 'reject' && (status < 400 || status >= 500))
    return `status ${status}, a 4xx was expected`;
  const b = body as { success?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
  if (!b || typeof b !== 'object' || typeof b.success !== 'boolean') return 'not the JSON envelope';
  if (status >= 400) {
    if (b.success !== false || typeof b.error?.code !== 'string' || typeof b.error?.message !== 'string')
      return 'error answer without {success: false, error: {code, message}}';
    if (b.error.code === 'NOT_JSON') return `not JSON: ${b.error.message}`;
    if (LEAK.test(b.error.message)) return `leaks internals: ${b.error.message.slice(0, 120)}`;
  } else if (b.success !== true) return `status ${status} with success false`;
  return undefined;
}

for (const driver of ['sqlite', 'mysql'] as const) {
  describe(`malformed HTTP to every gateway route (${driver === 'mysql' ? 'MariaDB' : 'SQLite'})`, () => {
    const seed = fuzzSeed(`bad HTTP (${driver})`);
    let p: Platform;
    let enabled = true;
    let token = '';
    let taskId = 0;
    let gatewayPid = 0;

    beforeAll(async () => {
      if (driver === 'mysql' && !(await mariadbAvailable())) {
        enabled = false;
        return;
      }
      p = await startPlatform({ driver });
      const res = await p.request('POST', '/api/auth/register', {
        body: { email: 'fuzz@example.com', password: 'fuzz-password-1', name: 'Fuzz' },
      });
      token = (res.body.data as { token: string }).token;
      const task = await p.request('POST', '/api/tasks', { token, body: { title: 'target' } });
      taskId = (task.body.data as { insert_id: number }).insert_id;
      const rows = (await callOnce(join(p.runDir, 'sogoctl.sock'), 'status')) as Array<{
        service: string;
        pid: number;
      }>;
      gatewayPid = rows.find((r) => r.service === 'sogoway')!.pid;
    }, 120_000);

    afterAll(async () => {
      if (p) expect(await p.stop()).toBe(0);
    });

    const send = (c: HttpCase): Promise<HttpResult> => {
      const headers: Record<string, string> = { ...c.headers };
      if (c.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
      return p.request(c.method, c.path, {
        ...(c.token ? { token } : {}),
        ...(c.headers?.host ? { host: c.headers.host } : {}),
        headers,
        ...(c.body !== undefined ? { rawBody: c.body } : {}),
      });
    };

    it('answers every malformed request with the envelope and a 4xx, never a 5xx', async (ctx) => {
      if (!enabled) ctx.skip();
      const cases = [...fixedCases(taskId), ...randomCases(new Rng(seed), taskId, RANDOM_CASES)];
      const problems: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          try {
            const res = await send(c);
            const wrong = verdict(c.expect, res.status, res.body);
            if (wrong) problems.push(`${c.label}: ${wrong} ${JSON.stringify(res.body).slice(0, 160)}`);
          } catch (err) {
            problems.push(`${c.label}: no answer (${String(err)})`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      console.log(`bad HTTP (${driver}): ${cases.length} requests, ${problems.length} problems`);
      expect(problems.slice(0, 25), `seed ${seed}: ${problems.length} problems`).toEqual([]);
    }, 120_000);

    it('answers broken HTTP framing with an envelope too', async (ctx) => {
      if (!enabled) ctx.skip();
      const problems: string[] = [];
      for (const c of rawCases(HOST, token)) {
        const answer = await rawRequest(p.port, c.bytes);
        if (!answer) {
          problems.push(`${c.label}: no answer`);
          continue;
        }
        let body: unknown;
        try {
          body = JSON.parse(answer.body);
        } catch {
          body = undefined;
        }
        const wrong = verdict(c.expect ?? 'reject', answer.status, body);
        if (wrong) problems.push(`${c.label}: ${wrong} ${answer.body.slice(0, 160)}`);
      }
      expect(problems).toEqual([]);
    }, 60_000);

    it('is still the same healthy gateway, serving requests', async (ctx) => {
      if (!enabled) ctx.skip();
      const health = await fetch(`${p.url}/health`);
      expect(health.status).toBe(200);
      const rows = (await callOnce(join(p.runDir, 'sogoctl.sock'), 'status')) as Array<{
        service: string;
        pid: number;
      }>;
      expect(rows.find((r) => r.service === 'sogoway')!.pid, 'sogoway was restarted').toBe(gatewayPid);
      // The cases include logouts with the shared token, which end its session: log in again.
      const login = await p.request('POST', '/api/auth/login', {
        body: { email: 'fuzz@example.com', password: 'fuzz-password-1' },
      });
      expect(login.status).toBe(200);
      const fresh = (login.body.data as { token: string }).token;
      expect((await p.request('GET', '/api/tasks', { token: fresh })).status).toBe(200);
      const show = await p.request('GET', `/api/tasks/${taskId}`, { token: fresh });
      expect(show.status).toBe(200);
      expect(show.body.data).toMatchObject({ id: taskId });
    });
  });
}
