// Phase 15, item 5, on the real platform with each driver: filters, multi-key sort, ?fields=, ?count=true and
// ?expand= give the same answers on MariaDB and SQLite, and an unknown parameter is a 400 naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { type Driver, type Platform, startPlatform } from '../helpers/platform.js';

const hasMariadb = await mariadbAvailable();

function suite(driver: Driver) {
  let p: Platform;
  let token: string;
  beforeAll(async () => {
    p = await startPlatform({ driver });
    const reg = await p.request('POST', '/api/auth/register', {
      body: { email: 'lists@example.com', password: 'correct-horse', name: 'Lists' },
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    token = (reg.body.data as { token: string }).token;
    const project = await p.request('POST', '/api/projects', { token, body: { name: 'Alpha' } });
    const projectId = (project.body.data as { insert_id: number }).insert_id;
    const tasks = [
      { title: 'write spec', priority: 3, project_id: projectId },
      { title: 'write code', priority: 1, project_id: projectId },
      { title: 'review 100%', priority: 2 },
      { title: 'ship', priority: 3 },
    ];
    for (const body of tasks)
      expect((await p.request('POST', '/api/tasks', { token, body })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await p?.stop();
  });

  const get = (query: string) => p.request('GET', `/api/tasks?${query}`, { token });

  it('filters, multi-key sort, fields, count and expand', async () => {
    const res = await get(
      'filter[priority][gte]=2&filter[title][like]=*i*&sort=-priority,title&fields=title,priority&count=true&expand=project',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual([
      { title: 'ship', priority: 3, project: null },
      { title: 'write spec', priority: 3, project: expect.objectContaining({ name: 'Alpha' }) },
      { title: 'review 100%', priority: 2, project: null },
    ]);
    expect(res.body.meta).toMatchObject({ total: 3 });
    const some = await get('filter[title][in]=ship,write%20code&filter[project_id][null]=false&fields=title');
    expect(some.body.data).toEqual([{ title: 'write code' }]);
    const literal = await get('filter[title][like]=*0%25&fields=title');
    expect(literal.body.data).toEqual([{ title: 'review 100%' }]);
  });

  it('an unknown parameter is a 400 naming it', async () => {
    const res = await get('colour=red');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Unknown query parameter(s): colour',
    });
  });
}

describe('list query on SQLite', () => suite('sqlite'));
describe.runIf(hasMariadb)('list query on MariaDB', () => suite('mysql'));
