// Issue "data path": the whole platform started by sogoctl, on MariaDB and on SQLite, driven over HTTP with a
// Host header — auth, CRUD on every prokov resource, tenant isolation, JWT checks, hostile input, failures.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { JWT_SECRET, type Platform, startPlatform, waitFor } from '../helpers/platform.js';

const RESOURCES = {
  projects: { create: { name: 'Garden', description: 'Spring', position: 1 }, update: { name: 'Garden 2' } },
  statuses: { create: { name: 'Todo', position: 1 }, update: { name: 'Doing' } },
  tags: { create: { name: 'urgent', color: '#ff0000' }, update: { color: '#00ff00' } },
  tasks: { create: { title: 'Dig', description: 'beds', priority: 2 }, update: { title: 'Dig deeper' } },
} as const;
type Resource = keyof typeof RESOURCES;

const secret = new TextEncoder().encode(JWT_SECRET);

for (const driver of ['sqlite', 'mysql'] as const) {
  describe(`data path on ${driver === 'mysql' ? 'MariaDB' : 'SQLite'}`, () => {
    let p: Platform;
    let enabled = true;
    const users: Record<'a' | 'b' | 'admin', { token: string; id: number; email: string }> = {} as never;
    const ids: Record<'a' | 'b', Record<Resource, number>> = { a: {} as never, b: {} as never };

    const register = async (email: string, name: string) => {
      const res = await p.request('POST', '/api/auth/register', {
        body: { email, password: 'correct-horse', name },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const data = res.body.data as { token: string; user: { id: number } };
      return { token: data.token, id: data.user.id, email };
    };

    beforeAll(async () => {
      if (driver === 'mysql' && !(await mariadbAvailable())) {
        enabled = false;
        return;
      }
      p = await startPlatform({ driver, copyQueries: true });
      users.a = await register('alice@example.com', 'Alice');
      users.b = await register('bob@example.com', 'Bob');
      const admin = await register('root@example.com', 'Root');
      await (p.db
        ? p.db.exec('UPDATE users SET role = ? WHERE id = ?', ['admin', admin.id])
        : updateSqlite(p, 'UPDATE users SET role = ? WHERE id = ?', ['admin', admin.id]));
      const login = await p.request('POST', '/api/auth/login', {
        body: { email: 'root@example.com', password: 'correct-horse' },
      });
      users.admin = { ...admin, token: (login.body.data as { token: string }).token };
    }, 120_000);

    afterAll(async () => {
      if (p) expect(await p.stop()).toBe(0);
    });

    it('registers, logs in with the includes, answers me, and logs out', async (ctx) => {
      if (!enabled) ctx.skip();
      const login = await p.request('POST', '/api/auth/login', {
        body: { email: 'alice@example.com', password: 'correct-horse' },
      });
      expect(login.status).toBe(200);
      expect(login.body.message).toBe('Connexion réussie');
      const data = login.body.data as Record<string, unknown>;
      expect(Object.keys(data).sort()).toEqual([
        'expires_in',
        'projects',
        'refresh_token',
        'statuses',
        'tags',
        'tasks',
        'token',
        'user',
      ]);
      expect(data.user).toMatchObject({ id: users.a.id, email: 'alice@example.com', name: 'Alice' });
      expect(JSON.stringify(data)).not.toContain('$2');
      const me = await p.request('GET', '/api/auth/me', { token: users.a.token });
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ id: users.a.id, email: 'alice@example.com' });
      // Logs out the session this login opened; users.a.token (its registration's) serves the next tests.
      const logout = await p.request('POST', '/api/auth/logout', { token: String(data.token) });
      expect(logout.status).toBe(200);
      expect(logout.body.success).toBe(true);
    });

    it('runs create, list, show and update on all four resources', async (ctx) => {
      if (!enabled) ctx.skip();
      for (const who of ['a', 'b'] as const) {
        for (const [resource, spec] of Object.entries(RESOURCES) as [
          Resource,
          (typeof RESOURCES)[Resource],
        ][]) {
          const body = { ...spec.create, ...(resource === 'tags' ? { name: `urgent-${who}` } : {}) };
          const created = await p.request('POST', `/api/${resource}`, { token: users[who].token, body });
          expect(created.status, `${resource}: ${JSON.stringify(created.body)}`).toBe(201);
          expect(created.body.message).toBe('Created');
          ids[who][resource] = (created.body.data as { insert_id: number }).insert_id;
        }
      }
      for (const resource of Object.keys(RESOURCES) as Resource[]) {
        const list = await p.request('GET', `/api/${resource}`, { token: users.a.token });
        expect(list.status).toBe(200);
        const rows = list.body.data as Array<{ id: number; user_id?: number }>;
        expect(rows.map((r) => r.id)).toEqual([ids.a[resource]]);
        expect(list.body.meta).toEqual({ limit: 50, offset: 0, next: null });
        const show = await p.request('GET', `/api/${resource}/${ids.a[resource]}`, { token: users.a.token });
        expect(show.status).toBe(200);
        expect(show.body.data).toMatchObject({ id: ids.a[resource] });
        const update = await p.request('PUT', `/api/${resource}/${ids.a[resource]}`, {
          token: users.a.token,
          body: RESOURCES[resource].update,
        });
        expect(update.status, JSON.stringify(update.body)).toBe(200);
        expect(update.body.data).toEqual({ affected_rows: 1 });
        const same = await p.request('PUT', `/api/${resource}/${ids.a[resource]}`, {
          token: users.a.token,
          body: RESOURCES[resource].update,
        });
        expect(same.status, 'an update that changes nothing is still 200').toBe(200);
      }
      const task = await p.request('GET', `/api/tasks/${ids.a.tasks}`, { token: users.a.token });
      expect((task.body.data as { created_at: string }).created_at).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
      );
    });

    it('keeps every tenant inside its own rows for every resource and method', async (ctx) => {
      if (!enabled) ctx.skip();
      for (const resource of Object.keys(RESOURCES) as Resource[]) {
        const foreign = ids.a[resource];
        const asB = { token: users.b.token };
        expect((await p.request('GET', `/api/${resource}/${foreign}`, asB)).status).toBe(404);
        const put = await p.request('PUT', `/api/${resource}/${foreign}`, {
          ...asB,
          body: RESOURCES[resource].update,
        });
        expect(put.status).toBe(404);
        expect(put.body.error?.code).toBe('NOT_FOUND');
        expect((await p.request('DELETE', `/api/${resource}/${foreign}`, asB)).status).toBe(404);
        const list = await p.request('GET', `/api/${resource}`, asB);
        expect((list.body.data as Array<{ id: number }>).map((r) => r.id)).toEqual([ids.b[resource]]);
        const adminList = await p.request('GET', `/api/${resource}`, { token: users.admin.token });
        const adminIds = (adminList.body.data as Array<{ id: number }>).map((r) => r.id);
        expect(adminIds).toEqual(expect.arrayContaining([ids.a[resource], ids.b[resource]]));
        const still = await p.rows(`SELECT COUNT(*) AS n FROM ${resource} WHERE id = ?`, [foreign]);
        expect(Number(still[0]!.n)).toBe(1);
      }
      const sneaky = await p.request('POST', '/api/projects', {
        token: users.b.token,
        body: { name: 'not yours', user_id: users.a.id },
      });
      const owned = await p.rows('SELECT user_id FROM projects WHERE name = ?', ['not yours']);
      if (sneaky.status === 201) expect(owned.map((r) => Number(r.user_id))).toEqual([users.b.id]);
      else {
        expect(sneaky.status).toBe(400);
        expect(owned).toEqual([]);
      }
    });

    it('refuses a task in another tenant’s project, so deleting that project cannot take it along', async (ctx) => {
      if (!enabled) ctx.skip();
      const asB = { token: users.b.token };
      const project = await p.request('POST', '/api/projects', { ...asB, body: { name: 'B only' } });
      const projectId = (project.body.data as { insert_id: number }).insert_id;
      const intrusion = await p.request('POST', '/api/tasks', {
        token: users.a.token,
        body: { title: 'in B’s project', project_id: projectId },
      });
      expect(intrusion.status).toBe(400);
      expect(intrusion.body.error?.code).toBe('VALIDATION_ERROR');
      const moved = await p.request('PUT', `/api/tasks/${ids.a.tasks}`, {
        token: users.a.token,
        body: { project_id: projectId },
      });
      expect(moved.status).toBe(400);
      // B's project goes, with ON DELETE CASCADE on tasks.project_id: none of A's tasks goes with it.
      const aTasks = await p.rows('SELECT COUNT(*) AS n FROM tasks WHERE user_id = ?', [users.a.id]);
      expect((await p.request('DELETE', `/api/projects/${projectId}`, asB)).status).toBe(200);
      expect(await p.rows('SELECT COUNT(*) AS n FROM tasks WHERE user_id = ?', [users.a.id])).toEqual(aTasks);
    });

    it('deletes own rows and answers 404 afterwards', async (ctx) => {
      if (!enabled) ctx.skip();
      const created = await p.request('POST', '/api/tags', { token: users.a.token, body: { name: 'temp' } });
      const id = (created.body.data as { insert_id: number }).insert_id;
      const del = await p.request('DELETE', `/api/tags/${id}`, { token: users.a.token });
      expect(del.status).toBe(200);
      expect(del.body.data).toEqual({ affected_rows: 1 });
      expect((await p.request('GET', `/api/tags/${id}`, { token: users.a.token })).status).toBe(404);
    });

    it('rejects forged, tampered, expired and foreign tokens with 401 and the right message', async (ctx) => {
      if (!enabled) ctx.skip();
      // sub is a number in SOGOMS tokens (SPEC §5); jose types it as a string.
      const claims = {
        sub: users.a.id,
        email: users.a.email,
        name: 'Alice',
        app: 'prokov',
        role: 'user',
      } as unknown as JWTPayload;
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
      const wrong = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode('another-secret-another-secret-another'));
      const [h, , s] = users.a.token.split('.');
      const tampered = `${h}.${b64({ ...claims, role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })}.${s}`;
      const expired = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .setJti('x')
        .sign(secret);
      const otherApp = await new SignJWT({ ...claims, app: 'other' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('10m')
        .setJti('y')
        .sign(secret);
      const cases: Array<[string | undefined, string]> = [
        [undefined, 'Missing token'],
        ['garbage', 'Invalid token'],
        [none, 'Invalid token'],
        [wrong, 'Invalid token'],
        [tampered, 'Invalid token'],
        [expired, 'Token expired'],
        [otherApp, 'Invalid token'],
      ];
      for (const [token, message] of cases) {
        const res = await p.request('GET', '/api/projects', token ? { token } : {});
        expect(res.status, message).toBe(401);
        expect(res.body.error).toEqual({ code: 'UNAUTHORIZED', message });
      }
    });

    it('answers hostile and malformed input with a 4xx envelope and leaves the data untouched', async (ctx) => {
      if (!enabled) ctx.skip();
      const count = async () => Number((await p.rows('SELECT COUNT(*) AS n FROM projects'))[0]!.n);
      const before = await count();
      const t = { token: users.a.token };
      const injections = ['1 OR 1=1', '1; DROP TABLE projects', "1' OR '1'='1", '0x1', '-1', '1e3', '../1'];
      for (const bad of injections) {
        const res = await p.request('GET', `/api/projects/${encodeURIComponent(bad)}`, t);
        expect(res.status, bad).toBe(400);
        expect(res.body.success).toBe(false);
      }
      for (const sort of ['name;DROP TABLE projects', 'name desc', '(select 1)', 'password', '-user_id--']) {
        const res = await p.request('GET', `/api/projects?sort=${encodeURIComponent(sort)}`, t);
        expect(res.status, sort).toBe(400);
      }
      const q = await p.request('GET', `/api/tasks?project_id=${encodeURIComponent('1 OR 1=1')}`, t);
      expect([200, 400]).toContain(q.status);
      if (q.status === 200) expect(q.body.data).toEqual([]);
      for (const limit of ['-1', 'abc', '1;DROP']) {
        const res = await p.request('GET', `/api/projects?limit=${encodeURIComponent(limit)}`, t);
        expect(res.status, `limit ${limit}`).toBe(400);
      }
      // A limit above the maximum is cut to it, and meta says so.
      const capped = await p.request('GET', '/api/projects?limit=100000', t);
      expect(capped.status).toBe(200);
      expect(capped.body.meta).toEqual({ limit: 500, offset: 0, next: null });
      const evil = "Robert'); DROP TABLE projects;--";
      const created = await p.request('POST', '/api/projects', { ...t, body: { name: evil } });
      expect(created.status).toBe(201);
      const stored = await p.rows('SELECT name FROM projects WHERE id = ?', [
        (created.body.data as { insert_id: number }).insert_id,
      ]);
      expect(stored[0]!.name).toBe(evil);
      const unknown = await p.request('POST', '/api/projects', {
        ...t,
        body: { name: 'x', hacker: 1, 'name = 1 --': 2 },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error?.code).toBe('VALIDATION_ERROR');
      expect(unknown.body.error?.message).toContain('hacker');
      const nested = await p.request('POST', '/api/projects', { ...t, body: { name: { $gt: '' } } });
      expect(nested.status).toBe(400);
      const notJson = await p.request('POST', '/api/projects', {
        ...t,
        rawBody: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(notJson.status).toBe(415);
      expect(notJson.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const broken = await p.request('POST', '/api/projects', {
        ...t,
        rawBody: '{"name":',
        headers: { 'content-type': 'application/json' },
      });
      expect(broken.status).toBe(400);
      const huge = await p.request('POST', '/api/projects', {
        ...t,
        rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(huge.status).toBe(413);
      expect(huge.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
      const route = await p.request('GET', '/api/nope', t);
      expect(route.status).toBe(404);
      expect(route.body.success).toBe(false);
      const host = await p.request('GET', '/api/projects', { ...t, host: 'unknown.example.com' });
      expect(host.status).toBe(404);
      expect(host.body.error?.code).toBe('APP_NOT_FOUND');
      expect(await count()).toBe(before + 1);
    });

    it('answers a duplicate email with 409 CONFLICT', async (ctx) => {
      if (!enabled) ctx.skip();
      const res = await p.request('POST', '/api/auth/register', {
        body: { email: 'alice@example.com', password: 'another-pass', name: 'Alice bis' },
      });
      expect(res.status).toBe(409);
      expect(res.body.error?.code).toBe('CONFLICT');
    });

    it('serves a changed query on the next request and refuses a broken edit (hot reload)', async (ctx) => {
      if (!enabled) ctx.skip();
      const file = join(p.configDir, 'queries', 'prokov', 'statuses.yaml');
      const original = readFileSync(file, 'utf8');
      const t = { token: users.a.token };
      const before = await p.request('GET', '/api/statuses', t);
      expect((before.body.data as Array<Record<string, unknown>>)[0]).toHaveProperty('name');
      writeFileSync(file, original.replace(/SELECT id, /, "SELECT id, 'reloaded' AS marker, "));
      await waitFor(
        async () => {
          const res = await p.request('GET', '/api/statuses', t);
          return (res.body.data as Array<Record<string, unknown>>)[0]?.marker === 'reloaded';
        },
        10_000,
        'the edited query to be served',
      );
      writeFileSync(file, 'list: [this is: not valid');
      await new Promise((r) => setTimeout(r, 1500));
      const after = await p.request('GET', '/api/statuses', t);
      expect(after.status).toBe(200);
      expect((after.body.data as Array<Record<string, unknown>>)[0]?.marker).toBe('reloaded');
      writeFileSync(file, original);
    });

    it('answers 503 within the timeout while sogoms-db is down, then serves again after sogoctl restarts it', async (ctx) => {
      if (!enabled) ctx.skip();
      const t = { token: users.a.token };
      const pidOf = async () => {
        const { callOnce } = await import('@sogoms/protocol');
        const status = (await callOnce(join(p.runDir, 'sogoctl.sock'), 'status')) as Array<{
          service: string;
          pid: number;
          state: string;
        }>;
        return status.find((s) => s.service === 'sogoms-db');
      };
      const db = await pidOf();
      expect(db?.pid).toBeGreaterThan(0);
      process.kill(db!.pid, 'SIGKILL');
      // Until sogoctl has restarted it, every request is answered: 503 in the envelope, quickly.
      const answers: number[] = [];
      const until = Date.now() + 3000;
      while (Date.now() < until && !answers.includes(200)) {
        const started = Date.now();
        const res = await p.request('GET', '/api/projects', t);
        expect(Date.now() - started).toBeLessThan(6_000);
        answers.push(res.status);
        if (res.status !== 200) expect(res.body.error?.code).toBe('SERVICE_UNAVAILABLE');
      }
      expect(answers).toContain(503);
      expect(answers.every((s) => s === 200 || s === 503)).toBe(true);
      await waitFor(
        async () => (await p.request('GET', '/api/projects', t)).status === 200,
        15_000,
        'db restarted',
      );
      const after = await pidOf();
      expect(after?.pid).not.toBe(db!.pid);
    });
  });
}

async function updateSqlite(p: Platform, sql: string, args: unknown[]) {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(p.sqliteFile!);
  db.pragma('busy_timeout = 5000');
  db.prepare(sql).run(...(args as never[]));
  db.close();
}
