// Developer-loop issue, item 5, on real processes (SQLite): a DB_ERROR answer carries the request id, the
// errors log line with that id holds the database's message, and only an app that opts in with
// `errors: { detail: true }` gets that message in the JSON body.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, waitFor } from '../helpers/platform.js';

type ErrorBody = {
  success: boolean;
  error: { code: string; message: string; request_id?: string; detail?: string };
};

describe('DB_ERROR detail', () => {
  let p: Platform;
  let token: string;

  beforeAll(async () => {
    p = await startPlatform({ driver: 'sqlite' });
    const res = await p.request('POST', '/api/auth/register', {
      body: { email: 'alice@example.com', password: 'correct-horse', name: 'Alice' },
    });
    token = (res.body.data as { token: string }).token;
    expect(
      (await p.request('POST', '/api/statuses', { token, body: { name: 'Todo', position: 1 } })).status,
    ).toBe(201);
    // The schema changes under the running platform: the list query now names a missing column.
    const db = new Database(p.sqliteFile!);
    db.exec('ALTER TABLE statuses DROP COLUMN color');
    db.close();
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
  });

  it('bug: a DB_ERROR said only "Database error" — now its body has the request id and the errors log line has the database message', async () => {
    const res = await p.request('GET', '/api/statuses', { token });
    expect(res.status).toBe(500);
    const body = res.body as unknown as ErrorBody;
    expect(body.error.code).toBe('DB_ERROR');
    const id = body.error.request_id;
    expect(id).toBe(res.headers.get('x-request-id'));
    // Production default: no database message in the body.
    expect(body.error.detail).toBeUndefined();
    const line = await waitFor(
      async () => {
        const file = readdirSync(p.logDir).find((f) => /^prokov-\d{8}-errors\.log$/.test(f));
        return (
          file &&
          readFileSync(join(p.logDir, file), 'utf8')
            .split('\n')
            .find((l) => l.includes(id!))
        );
      },
      10_000,
      'the errors log line of the request',
    );
    expect(line).toMatch(/no such column: color/);
  });

  it('an app with errors.detail: true gets the database message in the body', async () => {
    const routes = join(p.configDir, 'routes', 'prokov.yaml');
    writeFileSync(routes, `${readFileSync(routes, 'utf8')}\nerrors:\n  detail: true\n`);
    const body = await waitFor(
      async () => {
        const res = await p.request('GET', '/api/statuses', { token });
        const b = res.body as unknown as ErrorBody;
        return b.error?.detail ? b : undefined;
      },
      15_000,
      'the detail in the body after the reload',
    );
    expect(body.error.code).toBe('DB_ERROR');
    expect(body.error.detail).toMatch(/no such column: color/);
    expect(body.error.request_id).toMatch(/\S/);
  });
});
