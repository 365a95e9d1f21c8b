// Issue items 16 and 15: the whole platform on MariaDB and on SQLite gives the same 400 naming the field for
// values a column cannot hold (SQLite used to store "abc", 1.5, a rounded 2^53+1 and 900 kB names; MariaDB
// answered a long register name with 409), stores nothing, and keeps the values out of every log file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { type Platform, startPlatform, waitFor } from '../helpers/platform.js';

const hasMariadb = await mariadbAvailable();
const POSITION = 'Field "position" must be an integer between -2147483648 and 2147483647';
const NAME = 'Field "name" is too long (max 150 characters)';

/** [what, raw JSON body, expected message]; raw so that 2^53+1 reaches the gateway as written. */
const CASES: [string, string, string][] = [
  ['position "abc"', '{"name":"P","position":"abc"}', POSITION],
  ['position 1.5', '{"name":"P","position":1.5}', POSITION],
  ['position 2^53+1', '{"name":"P","position":9007199254740993}', POSITION],
  ['a 900 kB name', JSON.stringify({ name: 'n'.repeat(900_000) }), NAME],
  ['a 10,000-character name', JSON.stringify({ name: 'n'.repeat(10_000) }), NAME],
  ['a 151-character name', JSON.stringify({ name: 'é'.repeat(151) }), NAME],
  ['a null name', '{"name":null}', 'Field "name" must not be null'],
];

async function answers(p: Platform): Promise<unknown[]> {
  const reg = await p.request('POST', '/api/auth/register', {
    body: { email: 'parity@example.com', password: 'correct-horse', name: 'Par' },
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const token = (reg.body.data as { token: string }).token;
  const made = await p.request('POST', '/api/projects', { token, body: { name: 'Kept', position: 3 } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const id = (made.body.data as { insert_id: number }).insert_id;
  const headers = { 'content-type': 'application/json' };
  const out: unknown[] = [];
  for (const [what, rawBody, message] of CASES) {
    for (const [method, path] of [
      ['POST', '/api/projects'],
      ['PUT', `/api/projects/${id}`],
    ] as const) {
      const res = await p.request(method, path, { token, rawBody, headers });
      out.push({ what, method, status: res.status, error: res.body.error });
      expect(res.body.error, `${method} ${what}`).toEqual({ code: 'VALIDATION_ERROR', message });
    }
  }
  // The register path has no column check of its own: the database's refusal answers, the same on both.
  const longName = await p.request('POST', '/api/auth/register', {
    body: { email: 'long@example.com', password: 'correct-horse', name: 'n'.repeat(10_000) },
  });
  out.push({ what: 'register name', status: longName.status, error: longName.body.error });
  out.push({ rows: await p.rows('SELECT name, position FROM projects') });
  out.push({ users: await p.rows('SELECT email FROM users ORDER BY id') });
  return out;
}

function allLogs(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('driver parity over HTTP (issue 16)', () => {
  const platforms: Platform[] = [];
  afterAll(async () => {
    for (const p of platforms) await p.stop();
  });

  let sqliteAnswers: unknown[];
  beforeAll(async () => {
    const p = await startPlatform({ driver: 'sqlite' });
    platforms.push(p);
    sqliteAnswers = await answers(p);
  }, 120_000);

  it('SQLite: "abc", 1.5, 2^53+1, 900 kB and 10,000-character names are 400 naming the field; nothing stored', () => {
    expect(sqliteAnswers.at(-3)).toEqual({
      what: 'register name',
      status: 400,
      error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(/^Field "name" is too long/) },
    });
    expect(sqliteAnswers.at(-2)).toEqual({ rows: [{ name: 'Kept', position: 3 }] });
    expect(sqliteAnswers.at(-1)).toEqual({ users: [{ email: 'parity@example.com' }] });
  });

  it.runIf(hasMariadb)(
    'MariaDB gives the very same answers (a long register name was 409), and stores nothing either',
    async () => {
      const p = await startPlatform({ driver: 'mysql' });
      platforms.push(p);
      expect(await answers(p)).toEqual(sqliteAnswers);
    },
    120_000,
  );
});

describe.runIf(hasMariadb)('driver messages in logs (issue 15)', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ driver: 'mysql' });
  }, 120_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('a duplicate-email register on MariaDB leaves the email in no log file, the key name is kept', async () => {
    const email = 'dup.secret@example.com';
    const body = { email, password: 'correct-horse', name: 'Dup' };
    expect((await p.request('POST', '/api/auth/register', { body })).status).toBe(201);
    const again = await p.request('POST', '/api/auth/register', { body });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toContain(email);
    // sogoms-db logs the refusal (level info) through sogoctl: wait for that line, then read every log file.
    const line = await waitFor(
      async () =>
        p
          .sogoctlLog()
          .split('\n')
          .find((l) => l.includes('DB_DUPLICATE')),
      10_000,
      'the duplicate logged by sogoms-db',
    );
    expect(line).toContain("for key 'uq_users_email'");
    expect(allLogs(p.logDir)).not.toContain(email);
    expect(allLogs(p.logDir)).not.toContain('dup.secret');
  });
});
