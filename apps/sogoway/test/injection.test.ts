// SQL injection attempts through every input the gateway reads: path, query string, sort, body keys and
// values, login fields. Each one gets a 4xx or is stored as plain data; no request text ever reaches SQL text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './helpers/fixture.js';

let f: Fixture;
let a: { id: number; token: string };
let b: { id: number; token: string };
let snapshot: () => unknown;

const PAYLOADS = [
  '1 OR 1=1',
  '1; DROP TABLE projects',
  "1' OR '1'='1",
  '0 UNION SELECT id, email, password, 1, 1, 1, 1, 1 FROM users',
  '1) OR (1=1',
  '1 -- ',
  '/**/1/**/OR/**/1=1',
];

beforeAll(async () => {
  f = await startFixture();
  a = await f.register('a@example.com', 'A');
  b = await f.register('b@example.com', 'B');
  for (const token of [a.token, b.token]) {
    await f.request({ method: 'POST', url: '/api/projects', token, body: { name: 'keep' } });
    await f.request({ method: 'POST', url: '/api/tasks', token, body: { title: 'keep' } });
  }
  // Everything but the rows the tests themselves create through the API (those are checked one by one).
  snapshot = () => ({
    users: f.sql('SELECT id, email, password, role FROM users ORDER BY id'),
    b: f.sql('SELECT * FROM projects WHERE user_id = ? ORDER BY id', [b.id]),
    tasks: f.sql('SELECT * FROM tasks ORDER BY id'),
    tables: f.sql("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
  });
});
afterAll(async () => {
  await f?.close();
});

function noRequestTextInSql(): void {
  for (const s of f.db.statements) {
    for (const p of PAYLOADS) expect(s.query).not.toContain(p.trim());
    expect(s.query).not.toMatch(/DROP|UNION|'1'='1/);
  }
}

describe('SQL injection', () => {
  it('in the path id → 400, nothing changed', async () => {
    const before = snapshot();
    for (const p of PAYLOADS) {
      const url = `/api/projects/${encodeURIComponent(p)}`;
      for (const method of ['GET', 'DELETE'] as const) {
        const res = await f.request({ method, url, token: a.token });
        expect({ p, method, status: res.status }).toEqual({ p, method, status: 400 });
      }
      const put = await f.request({ method: 'PUT', url, token: a.token, body: { name: 'x' } });
      expect(put.status).toBe(400);
    }
    expect(snapshot()).toEqual(before);
    noRequestTextInSql();
  });

  it('in the resource name → 404', async () => {
    for (const p of ['projects;DROP TABLE users', 'projects%20WHERE%201=1', 'users', 'sqlite_master']) {
      const res = await f.request({ url: `/api/${p}`, token: a.token });
      expect(res.status).toBe(404);
    }
  });

  it('in list params: bound as values, so they match nothing and never widen the filter', async () => {
    const before = snapshot();
    for (const p of PAYLOADS) {
      const res = await f.request({ url: `/api/tasks?project_id=${encodeURIComponent(p)}`, token: a.token });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    }
    expect(snapshot()).toEqual(before);
    noRequestTextInSql();
  });

  it('in sort, limit and offset → 400', async () => {
    for (const p of PAYLOADS) {
      const q = encodeURIComponent(p);
      for (const name of ['sort', 'limit', 'offset']) {
        const res = await f.request({ url: `/api/tasks?${name}=${q}`, token: a.token });
        expect({ p, name, status: res.status }).toEqual({ p, name, status: 400 });
      }
    }
    noRequestTextInSql();
  });

  it('in body values: stored verbatim as data', async () => {
    const before = snapshot();
    for (const p of PAYLOADS) {
      const res = await f.request({
        method: 'POST',
        url: '/api/projects',
        token: a.token,
        body: { name: p, description: p },
      });
      expect(res.status).toBe(201);
      const id = (res.body.data as { insert_id: number }).insert_id;
      expect(f.sql('SELECT name, user_id FROM projects WHERE id = ?', [id])[0]).toEqual({
        name: p,
        user_id: a.id,
      });
    }
    expect(snapshot()).toEqual(before);
    noRequestTextInSql();
  });

  it('in body keys → 400 naming them', async () => {
    const before = snapshot();
    const keys = ['name = name, user_id', 'name`=1;--', 'user_id) VALUES (1);--', 'name, user_id'];
    for (const key of keys) {
      const res = await f.request({
        method: 'POST',
        url: '/api/projects',
        token: b.token,
        body: { [key]: 'x' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toContain(key);
      const put = await f.request({
        method: 'PUT',
        url: '/api/projects/1',
        token: a.token,
        body: { [key]: 'x' },
      });
      expect(put.status).toBe(400);
    }
    expect(snapshot()).toEqual(before);
    noRequestTextInSql();
  });

  it('in login and register fields', async () => {
    // Malformed addresses are refused before any lookup; quotes are valid in a local part (o'brien@), so
    // those reach the lookup, bound as a value, and match nobody.
    const wellFormed = new Set(["'or'1'='1@example.com", "a'--@example.com"]);
    for (const p of ["' OR '1'='1", "a@example.com' --", "a@example.com'/*", ...wellFormed]) {
      const res = await f.request({
        method: 'POST',
        url: '/api/auth/login',
        body: { email: p, password: "' OR '1'='1" },
      });
      expect(res.status).toBe(wellFormed.has(p) ? 401 : 400);
      const reg = await f.request({
        method: 'POST',
        url: '/api/auth/register',
        body: { email: p, password: 'x'.repeat(10), name: p },
      });
      expect(reg.status).toBe(wellFormed.has(p) ? 201 : 400);
    }
    noRequestTextInSql();
  });
});
