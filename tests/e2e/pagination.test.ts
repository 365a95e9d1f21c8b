// Issue "many tenants, big tables", item 2, on the real platform (bin/sogoctl) with each driver: a cursor walk
// (?after= / meta.next) returns every row exactly once while rows are inserted, in order; a deep ?offset= is a
// deferred join giving the same rows as the plain query; an offset past the bound, or a bad cursor, is a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { type Driver, type Platform, startPlatform } from '../helpers/platform.js';

const hasMariadb = await mariadbAvailable();

interface Task {
  id: number;
  title: string;
  position: number;
  due_date: string | null;
}
interface Meta {
  limit: number;
  offset?: number;
  next?: string | null;
}

async function setUp(p: Platform): Promise<string> {
  const reg = await p.request('POST', '/api/auth/register', {
    body: { email: 'pages@example.com', password: 'correct-horse', name: 'Pages' },
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const token = (reg.body.data as { token: string }).token;
  for (let i = 0; i < 23; i++) {
    // Repeated positions and titles, NULL dates: the key (id) must break every tie.
    const body = {
      title: `t${i % 5}`,
      position: i % 4,
      due_date: i % 3 === 0 ? null : `2024-01-${10 + (i % 7)}`,
    };
    expect((await add(p, token, body)).status).toBe(201);
  }
  return token;
}

async function add(p: Platform, token: string, body: object) {
  return p.request('POST', '/api/tasks', { token, body });
}

async function page(p: Platform, token: string, query: string) {
  const res = await p.request('GET', `/api/tasks?${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { rows: res.body.data as Task[], meta: res.body.meta as Meta };
}

/** Walks a list by meta.next, inserting two tasks after each page (one sorting early, one late). */
async function walk(p: Platform, token: string, sort: string): Promise<{ seen: Task[]; metas: Meta[] }> {
  const seen: Task[] = [];
  const metas: Meta[] = [];
  let query = `limit=4${sort ? `&sort=${sort}` : ''}`;
  for (let n = 0; n < 100; n++) {
    const { rows, meta } = await page(p, token, query);
    seen.push(...rows);
    metas.push(meta);
    if (meta.next === null) break;
    await add(p, token, { title: `a-new${n}`, position: -1, due_date: '2000-01-01' });
    await add(p, token, { title: `z-new${n}`, position: 99, due_date: null });
    query = `limit=4&after=${meta.next}`;
  }
  return { seen, metas };
}

const compare =
  (sort: string) =>
  (a: Task, b: Task): number => {
    const column = (sort.replace('-', '') || 'position') as keyof Task;
    const sign = sort.startsWith('-') ? -1 : 1;
    const [x, y] = [a[column], b[column]];
    // NULL first ascending, as both databases sort it; the id breaks ties in the sort's direction.
    const byColumn = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
    return sign * (byColumn !== 0 ? byColumn : a.id - b.id);
  };

function suite(driver: Driver) {
  let p: Platform;
  let token: string;
  beforeAll(async () => {
    p = await startPlatform({ driver });
    token = await setUp(p);
  }, 120_000);
  afterAll(async () => {
    await p?.stop();
  });

  it.each(['', 'title', '-due_date', 'due_date'])(
    'a cursor walk (sort "%s") returns every row exactly once, in order, while rows are inserted',
    async (sort) => {
      const before = (await p.rows('SELECT id FROM tasks')).map((r) => Number(r['id']));
      const { seen, metas } = await walk(p, token, sort);
      const ids = seen.map((t) => t.id);
      expect(new Set(ids).size, 'no row twice').toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(before));
      expect(seen).toEqual([...seen].sort(compare(sort)));
      // Rows inserted behind the cursor are not seen; those ahead of it are: the walk never skips them.
      const after = (await p.rows('SELECT id FROM tasks')).map((r) => Number(r['id']));
      expect(after.length).toBeGreaterThan(before.length);
      expect(metas[0]).toEqual({ limit: 4, offset: 0, next: expect.any(String) });
      expect(metas.at(-1)).toEqual({ limit: 4, next: null });
    },
    60_000,
  );

  it('a deep offset (deferred join) gives the rows of the plain order; a page past the end is empty', async () => {
    const all = (await page(p, token, 'limit=100&sort=-due_date')).rows;
    const deep = await page(p, token, 'limit=5&offset=7&sort=-due_date');
    expect(deep.rows).toEqual(all.slice(7, 12));
    expect(deep.meta).toEqual({ limit: 5, offset: 7, next: expect.any(String) });
    const byDefault = (await page(p, token, 'limit=100')).rows;
    expect((await page(p, token, 'limit=3&offset=10')).rows).toEqual(byDefault.slice(10, 13));
    expect(await page(p, token, 'offset=1000')).toEqual({
      rows: [],
      meta: { limit: 50, offset: 1000, next: null },
    });
  });

  it('an offset past the bound (1,000) answers 400, as does a forged cursor', async () => {
    const res = await p.request('GET', '/api/tasks?offset=1001', { token });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'offset must not exceed 1000; follow meta.next (?after=) to read further',
    });
    const forged = Buffer.from(JSON.stringify(['', '0) OR 1=1 --', 1])).toString('base64url');
    const bad = await p.request('GET', `/api/tasks?after=${forged}x!`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('VALIDATION_ERROR');
    // A well-formed cursor holding SQL is only a value: compared, never run.
    const quiet = await p.request('GET', `/api/tasks?after=${forged}`, { token });
    expect(quiet.status, JSON.stringify(quiet.body)).toBe(200);
    expect((await p.rows('SELECT COUNT(*) AS n FROM tasks'))[0]!['n']).toBeGreaterThan(20);
  });
}

describe('pagination on SQLite', () => suite('sqlite'));
describe.runIf(hasMariadb)('pagination on MariaDB', () => suite('mysql'));
