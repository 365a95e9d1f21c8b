// List query power over HTTP (phase 15, item 5) on the real prokov tasks list (list.filterable / fields /
// expand): what a client sees for filters, multi-key sort, ?fields=, ?count=true, ?expand= under the role
// filter, and unknown parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './helpers/fixture.js';

let f: Fixture;
let a: { id: number; token: string };
let b: { id: number; token: string };
let projectA: number;
let projectB: number;

beforeAll(async () => {
  f = await startFixture();
  a = await f.register('a@example.com', 'A');
  b = await f.register('b@example.com', 'B');
  const pa = await f.request({
    method: 'POST',
    url: '/api/projects',
    token: a.token,
    body: { name: 'Alpha' },
  });
  const pb = await f.request({
    method: 'POST',
    url: '/api/projects',
    token: b.token,
    body: { name: 'Beta' },
  });
  projectA = (pa.body.data as { insert_id: number }).insert_id;
  projectB = (pb.body.data as { insert_id: number }).insert_id;
  const tasks = [
    { title: 'write spec', priority: 3, project_id: projectA },
    { title: 'write code', priority: 1, project_id: projectA },
    { title: 'review 100%', priority: 2 },
    { title: 'ship', priority: 3 },
  ];
  for (const body of tasks) await f.request({ method: 'POST', url: '/api/tasks', token: a.token, body });
  await f.request({
    method: 'POST',
    url: '/api/tasks',
    token: b.token,
    body: { title: 'write b', priority: 3 },
  });
});
afterAll(async () => {
  await f?.close();
});

const titles = (res: { body: { data?: unknown } }): string[] =>
  (res.body.data as { title: string }[]).map((t) => t.title);

async function list(query: string, token = a.token) {
  return f.request({ url: `/api/tasks?${query}`, token });
}

describe('GET /tasks list query', () => {
  it('filters combine with AND, only over the caller’s rows', async () => {
    const res = await list('filter[priority][gte]=2&filter[title][like]=write*&sort=id');
    expect(res.status).toBe(200);
    expect(titles(res)).toEqual(['write spec']);
    expect(titles(await list('filter[priority][in]=1,2&sort=id'))).toEqual(['write code', 'review 100%']);
    expect(titles(await list('filter[project_id][null]=true&sort=id'))).toEqual(['review 100%', 'ship']);
    expect(titles(await list('filter[priority][ne]=3&filter[title][like]=*100%25&sort=id'))).toEqual([
      'review 100%',
    ]);
  });

  it('multi-key sort, ?fields= selection, ?count=true gives meta.total', async () => {
    const res = await list('sort=-priority,title&fields=title,priority&count=true&limit=2');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { title: 'ship', priority: 3 },
      { title: 'write spec', priority: 3 },
    ]);
    expect(res.body.meta).toMatchObject({ limit: 2, total: 4 });
    const next = (res.body.meta as { next: string }).next;
    const page2 = await list(`sort=-priority,title&fields=title&after=${next}`);
    expect(page2.body.data).toEqual([{ title: 'review 100%' }, { title: 'write code' }]);
  });

  it('?expand=project embeds the project, null when the caller may not see it (role filter)', async () => {
    // A task pointing at another user's project (written behind the API's back).
    f.sql('UPDATE tasks SET project_id = ? WHERE title = ?', [projectB, 'ship']);
    const res = await list('expand=project&fields=title,project_id&sort=id');
    expect(res.status).toBe(200);
    const rows = res.body.data as { title: string; project: { name: string } | null }[];
    expect(rows.map((r) => [r.title, r.project?.name ?? null])).toEqual([
      ['write spec', 'Alpha'],
      ['write code', 'Alpha'],
      ['review 100%', null],
      ['ship', null],
    ]);
    f.sql('UPDATE tasks SET project_id = NULL WHERE title = ?', ['ship']);
  });

  it('unknown parameters, columns, fields and operators → 400 naming them', async () => {
    const unknown = await list('colour=red&limit=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Unknown query parameter(s): colour',
    });
    expect((await list('filter[user_id]=1')).body.error?.message).toContain('Cannot filter by "user_id"');
    expect((await list('fields=password')).body.error?.message).toContain('Unknown fields: password');
    expect((await list('filter[title][regexp]=x')).status).toBe(400);
    expect((await list('expand=owner')).status).toBe(400);
  });

  it('injection attempts in filter values are data: no rows, no error, nothing changed', async () => {
    const before = f.sql('SELECT COUNT(*) AS n FROM tasks');
    for (const p of ["x' OR '1'='1", '1; DROP TABLE tasks', '1) OR (1=1']) {
      for (const op of ['eq', 'ne', 'gt', 'in', 'like']) {
        const value = op === 'like' ? `*${p}*` : p;
        const res = await list(`filter[title][${op}]=${encodeURIComponent(value)}`);
        expect({ op, p, status: res.status }).toEqual({ op, p, status: 200 });
        if (op !== 'ne' && op !== 'gt') expect(res.body.data).toEqual([]);
      }
    }
    expect(f.sql('SELECT COUNT(*) AS n FROM tasks')).toEqual(before);
  });
});
