// The generic CRUD on the real prokov queries: tenant isolation for every resource and method, validation,
// list parameters, pagination and sorting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './helpers/fixture.js';

let f: Fixture;
let a: { id: number; token: string };
let b: { id: number; token: string };
let admin: { id: number; token: string };

const BODIES: Record<string, Record<string, unknown>> = {
  projects: { name: 'Proj', description: 'd', position: 1 },
  statuses: { name: 'Todo', position: 1 },
  tags: { name: 'tag' },
  tasks: { title: 'Task', priority: 2 },
};
const RESOURCES = Object.keys(BODIES);
const rowIds: Record<string, { a: number; b: number }> = {};

async function create(token: string, resource: string, body: Record<string, unknown>): Promise<number> {
  const res = await f.request({ method: 'POST', url: `/api/${resource}`, token, body });
  if (res.status !== 201) throw new Error(`create ${resource}: ${res.status} ${res.raw}`);
  return (res.body.data as { insert_id: number }).insert_id;
}

beforeAll(async () => {
  f = await startFixture();
  a = await f.register('a@example.com', 'A');
  b = await f.register('b@example.com', 'B');
  const adm = await f.register('admin@example.com', 'Admin');
  f.sql("UPDATE users SET role = 'admin' WHERE id = ?", [adm.id]);
  const login = await f.request({
    method: 'POST',
    url: '/api/auth/login',
    body: { email: 'admin@example.com', password: 'correct-horse-battery' },
  });
  admin = { id: adm.id, token: (login.body.data as { token: string }).token };
  for (const resource of RESOURCES) {
    rowIds[resource] = {
      a: await create(a.token, resource, {
        ...BODIES[resource],
        ...(resource === 'tags' ? { name: 'a-tag' } : {}),
      }),
      b: await create(b.token, resource, {
        ...BODIES[resource],
        ...(resource === 'tags' ? { name: 'b-tag' } : {}),
      }),
    };
  }
});
afterAll(async () => {
  await f?.close();
});

const owner = (resource: string, id: number) =>
  f.sql(`SELECT user_id FROM ${resource} WHERE id = ?`, [id])[0]?.user_id;

describe.each(RESOURCES)('tenant isolation on %s', (resource) => {
  it('list shows only the user’s own rows; admin sees all', async () => {
    const listA = await f.request({ url: `/api/${resource}`, token: a.token });
    expect(listA.status).toBe(200);
    const rows = listA.body.data as { id: number; user_id: number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.user_id === a.id)).toBe(true);
    const all = await f.request({ url: `/api/${resource}`, token: admin.token });
    const ids = (all.body.data as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([rowIds[resource]!.a, rowIds[resource]!.b]));
  });

  it('show: B gets 404 on A’s row, A gets it, admin gets it', async () => {
    const id = rowIds[resource]!.a;
    const byB = await f.request({ url: `/api/${resource}/${id}`, token: b.token });
    expect(byB.status).toBe(404);
    expect(byB.body.error?.code).toBe('NOT_FOUND');
    expect((await f.request({ url: `/api/${resource}/${id}`, token: a.token })).body.data).toMatchObject({
      id,
    });
    expect((await f.request({ url: `/api/${resource}/${id}`, token: admin.token })).status).toBe(200);
  });

  it('update: B gets 404 on A’s row and the row is untouched', async () => {
    const id = rowIds[resource]!.a;
    const before = f.sql(`SELECT * FROM ${resource} WHERE id = ?`, [id]);
    const field = resource === 'tasks' ? 'title' : 'name';
    const res = await f.request({
      method: 'PUT',
      url: `/api/${resource}/${id}`,
      token: b.token,
      body: { [field]: 'hacked' },
    });
    expect(res.status).toBe(404);
    expect(f.sql(`SELECT * FROM ${resource} WHERE id = ?`, [id])).toEqual(before);
  });

  it('delete: B gets 404 on A’s row and the row stays', async () => {
    const id = rowIds[resource]!.a;
    const res = await f.request({ method: 'DELETE', url: `/api/${resource}/${id}`, token: b.token });
    expect(res.status).toBe(404);
    expect(owner(resource, id)).toBe(a.id);
  });

  it('create takes the owner from the token, never from the body', async () => {
    const body = { ...BODIES[resource], ...(resource === 'tags' ? { name: 'owned' } : {}), user_id: a.id };
    const id = await create(b.token, resource, body);
    expect(owner(resource, id)).toBe(b.id);
  });

  it('update cannot move a row to another user', async () => {
    const id = rowIds[resource]!.b;
    const field = resource === 'tasks' ? 'title' : 'name';
    const res = await f.request({
      method: 'PUT',
      url: `/api/${resource}/${id}`,
      token: b.token,
      body: { [field]: `renamed-${resource}`, user_id: a.id },
    });
    expect(res.status).toBe(200);
    expect(owner(resource, id)).toBe(b.id);
  });

  it('update and delete of a missing id → 404', async () => {
    expect(
      (
        await f.request({
          method: 'PUT',
          url: `/api/${resource}/999999`,
          token: a.token,
          body: { [resource === 'tasks' ? 'title' : 'name']: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await f.request({ method: 'DELETE', url: `/api/${resource}/999999`, token: a.token })).status,
    ).toBe(404);
  });
});

describe('create / update / delete', () => {
  it('create → 201 "Created" with insert_id', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/api/projects',
      token: a.token,
      body: { name: 'New', color: '#fff' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ success: true, message: 'Created', data: { insert_id: expect.any(Number) } });
  });

  it('unknown body fields → 400 naming them, nothing inserted', async () => {
    const before = f.sql('SELECT COUNT(*) AS n FROM projects')[0]!.n;
    const res = await f.request({
      method: 'POST',
      url: '/api/projects',
      token: a.token,
      body: { name: 'x', role: 'admin', id: 5, evil: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_ERROR');
    expect(res.body.error?.message).toBe('Unknown field(s): role, id, evil');
    const update = await f.request({
      method: 'PUT',
      url: `/api/projects/${rowIds.projects!.a}`,
      token: a.token,
      body: { created_at: 'x' },
    });
    expect(update.body.error?.message).toBe('Unknown field(s): created_at');
    expect(f.sql('SELECT COUNT(*) AS n FROM projects')[0]!.n).toBe(before);
  });

  it('object or array values → 400', async () => {
    for (const value of [{ x: 1 }, [1, 2]]) {
      const res = await f.request({
        method: 'POST',
        url: '/api/projects',
        token: a.token,
        body: { name: value },
      });
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toContain('"name"');
    }
  });

  it('scalars of every JSON type are accepted', async () => {
    const id = await create(a.token, 'tasks', { title: 'T', description: null, done: true, priority: 3 });
    expect(f.sql('SELECT done, description, priority FROM tasks WHERE id = ?', [id])[0]).toEqual({
      done: 1,
      description: null,
      priority: 3,
    });
  });

  it('update with no field → 400; create with no field → 400', async () => {
    expect(
      (
        await f.request({
          method: 'PUT',
          url: `/api/projects/${rowIds.projects!.a}`,
          token: a.token,
          body: {},
        })
      ).status,
    ).toBe(400);
    expect(
      (await f.request({ method: 'POST', url: '/api/projects', token: a.token, body: { user_id: 3 } }))
        .status,
    ).toBe(400);
  });

  it('update → 200 with affected_rows, values stored', async () => {
    const id = rowIds.projects!.a;
    const res = await f.request({
      method: 'PUT',
      url: `/api/projects/${id}`,
      token: a.token,
      body: { name: 'Renamed', position: 7 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Updated', data: { affected_rows: 1 } });
    expect(f.sql('SELECT name, position FROM projects WHERE id = ?', [id])[0]).toEqual({
      name: 'Renamed',
      position: 7,
    });
  });

  it('update with unchanged values on a visible row → 200 even when the database reports 0 changed rows', async () => {
    f.db.mysqlAffectedRows = true;
    try {
      const id = rowIds.projects!.a;
      const body = { name: 'Same', position: 2 };
      expect(
        (await f.request({ method: 'PUT', url: `/api/projects/${id}`, token: a.token, body })).body.data,
      ).toEqual({ affected_rows: 1 });
      const again = await f.request({ method: 'PUT', url: `/api/projects/${id}`, token: a.token, body });
      expect(again.status).toBe(200);
      expect(again.body.data).toEqual({ affected_rows: 0 });
      // Still 404 for a row the user may not see, and for a missing one.
      expect(
        (await f.request({ method: 'PUT', url: `/api/projects/${id}`, token: b.token, body })).status,
      ).toBe(404);
      expect(
        (await f.request({ method: 'PUT', url: '/api/projects/424242', token: a.token, body })).status,
      ).toBe(404);
    } finally {
      f.db.mysqlAffectedRows = false;
    }
  });

  it('delete → 200 and the row is gone', async () => {
    const id = await create(a.token, 'tags', { name: 'to-delete' });
    const res = await f.request({ method: 'DELETE', url: `/api/tags/${id}`, token: a.token });
    expect(res.body).toEqual({ success: true, message: 'Deleted', data: { affected_rows: 1 } });
    expect(f.sql('SELECT id FROM tags WHERE id = ?', [id])).toEqual([]);
    expect((await f.request({ method: 'DELETE', url: `/api/tags/${id}`, token: a.token })).status).toBe(404);
  });

  it('a duplicate (unique tag name per user) → 409 CONFLICT', async () => {
    await create(a.token, 'tags', { name: 'dup' });
    const res = await f.request({ method: 'POST', url: '/api/tags', token: a.token, body: { name: 'dup' } });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'CONFLICT', message: 'Duplicate entry' });
    // Another user may use the same name.
    expect(
      (await f.request({ method: 'POST', url: '/api/tags', token: b.token, body: { name: 'dup' } })).status,
    ).toBe(201);
  });

  it('a reference to a missing row on create/update → 400 VALIDATION_ERROR', async () => {
    const res = await f.request({
      method: 'POST',
      url: '/api/tasks',
      token: a.token,
      body: { title: 'x', project_id: 999999 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_ERROR');
    const upd = await f.request({
      method: 'PUT',
      url: `/api/tasks/${rowIds.tasks!.a}`,
      token: a.token,
      body: { status_id: 999999 },
    });
    expect(upd.status).toBe(400);
  });

  it('a task cannot point at another user’s project or status; nothing is written', async () => {
    const count = () => Number(f.sql('SELECT COUNT(*) AS n FROM tasks')[0]!.n);
    const before = count();
    const refused = [
      { title: 'x', project_id: rowIds.projects!.b },
      { title: 'x', status_id: rowIds.statuses!.b },
      { title: 'x', project_id: String(rowIds.projects!.b) },
      { title: 'x', project_id: rowIds.projects!.a, status_id: rowIds.statuses!.b },
      { title: 'x', project_id: true },
      { title: 'x', project_id: 1.5 },
      { title: 'x', project_id: '1 OR 1=1' },
    ];
    for (const body of refused) {
      const res = await f.request({ method: 'POST', url: '/api/tasks', token: a.token, body });
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
      expect(res.body.error?.message).toMatch(
        /^(project_id|status_id) must be the id of one of the (projects|statuses)/,
      );
      const [field] = Object.keys(res.body.error?.fields ?? {});
      expect(res.body.error?.fields).toEqual({
        [field!]: expect.stringMatching(/^must be the id of one of the/),
      });
      expect(res.body.error?.message).toMatch(new RegExp(`^${field} `));
    }
    expect(count()).toBe(before);
    const task = rowIds.tasks!.a;
    const upd = await f.request({
      method: 'PUT',
      url: `/api/tasks/${task}`,
      token: a.token,
      body: { title: 'moved', project_id: rowIds.projects!.b },
    });
    expect(upd.status).toBe(400);
    expect(f.sql('SELECT title, project_id FROM tasks WHERE id = ?', [task])[0]).not.toMatchObject({
      title: 'moved',
    });
  });

  it('a task may point at the user’s own project and status, or at none; admin at anyone’s', async () => {
    const own = await create(a.token, 'tasks', {
      title: 'mine',
      project_id: rowIds.projects!.a,
      status_id: String(rowIds.statuses!.a),
    });
    expect(f.sql('SELECT project_id, status_id FROM tasks WHERE id = ?', [own])[0]).toEqual({
      project_id: rowIds.projects!.a,
      status_id: rowIds.statuses!.a,
    });
    const cleared = await f.request({
      method: 'PUT',
      url: `/api/tasks/${own}`,
      token: a.token,
      body: { project_id: null, status_id: null },
    });
    expect(cleared.status).toBe(200);
    // admin's filter on projects is empty: any existing project is visible, hence a valid reference.
    const byAdmin = await create(admin.token, 'tasks', { title: 'support', project_id: rowIds.projects!.b });
    expect(f.sql('SELECT project_id FROM tasks WHERE id = ?', [byAdmin])[0]).toEqual({
      project_id: rowIds.projects!.b,
    });
  });

  it('ids must be positive integers → 400', async () => {
    for (const id of ['0', '-1', 'abc', '1.5', '1e3', '01', '99999999999999999999', '%31']) {
      const res = await f.request({ url: `/api/projects/${id}`, token: a.token });
      expect({ id, status: res.status }).toEqual({ id, status: 400 });
      expect((await f.request({ method: 'DELETE', url: `/api/projects/${id}`, token: a.token })).status).toBe(
        400,
      );
    }
  });

  it('every CRUD route needs a token', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/projects'],
      ['GET', '/api/projects/1'],
      ['POST', '/api/projects'],
      ['PUT', '/api/projects/1'],
      ['DELETE', '/api/projects/1'],
      ['GET', '/api/unknown'],
    ];
    for (const [method, url] of routes) {
      const res = await f.request({
        method: method as 'GET',
        url,
        ...(method === 'POST' || method === 'PUT' ? { body: { name: 'x' } } : {}),
      });
      expect({ method, url, status: res.status }).toEqual({ method, url, status: 401 });
    }
  });
});

describe('list', () => {
  let project: number;
  beforeAll(async () => {
    project = await create(a.token, 'projects', { name: 'Listed' });
    for (let i = 0; i < 7; i++) {
      await create(a.token, 'tasks', {
        title: `L${i}`,
        project_id: project,
        position: 10 - i,
        done: i % 2 === 0,
      });
    }
  });

  const list = (query: string, token = a.token) => f.request({ url: `/api/tasks${query}`, token });

  it('applies list params only when given', async () => {
    const all = await list('');
    const inProject = await list(`?project_id=${project}`);
    expect((inProject.body.data as unknown[]).length).toBe(7);
    expect((all.body.data as unknown[]).length).toBeGreaterThan(7);
    const done = await list(`?project_id=${project}&done=1`);
    expect((done.body.data as { title: string }[]).map((t) => t.title).sort()).toEqual([
      'L0',
      'L2',
      'L4',
      'L6',
    ]);
    // A param never widens the role filter.
    expect(((await list(`?project_id=${project}`, b.token)).body.data as unknown[]).length).toBe(0);
  });

  it('sorts by a whitelisted column, ascending or descending; default order from the YAML', async () => {
    const titles = async (q: string) =>
      ((await list(`?project_id=${project}${q}`)).body.data as { title: string }[]).map((t) => t.title);
    expect(await titles('')).toEqual(['L6', 'L5', 'L4', 'L3', 'L2', 'L1', 'L0']); // position ASC
    expect(await titles('&sort=title')).toEqual(['L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
    expect(await titles('&sort=-title')).toEqual(['L6', 'L5', 'L4', 'L3', 'L2', 'L1', 'L0']);
  });

  it('refuses a sort outside sortable → 400', async () => {
    for (const sort of ['user_id', 'password', 'title;DROP TABLE tasks', '--title', 'title desc', '']) {
      const res = await list(`?sort=${encodeURIComponent(sort)}`);
      if (sort === '') expect(res.status).toBe(200);
      else expect({ sort, status: res.status }).toEqual({ sort, status: 400 });
    }
  });

  it('paginates with limit and offset, and reports them in meta', async () => {
    const page = await list(`?project_id=${project}&limit=3&offset=2`);
    expect(page.body.meta).toEqual({ limit: 3, offset: 2, next: expect.any(String) });
    expect((page.body.data as { title: string }[]).map((t) => t.title)).toEqual(['L4', 'L3', 'L2']);
    expect((await list('')).body.meta).toEqual({ limit: 50, offset: 0, next: null });
    // More than the maximum gives the maximum.
    expect((await list('?limit=100000')).body.meta).toEqual({ limit: 500, offset: 0, next: null });
  });

  it('refuses bad limit/offset and repeated parameters → 400', async () => {
    for (const q of [
      '?limit=0',
      '?limit=-1',
      '?limit=abc',
      '?offset=-5',
      '?offset=1.5',
      '?limit=1&limit=2',
      `?project_id=1&project_id=2`,
    ]) {
      expect({ q, status: (await list(q)).status }).toEqual({ q, status: 400 });
    }
  });

  it('refuses unknown query-string names with a 400 naming them (never a way to set a placeholder)', async () => {
    const res = await list(`?project_id=${project}&user_id=${b.id}&role=admin&id=1`);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Unknown query parameter(s): user_id, role, id',
    });
  });
});
