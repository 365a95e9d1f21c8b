// Phase 15: the seed's own example schema in a fresh config directory without queries/, migrated by
// `bin/sogoms-schema migrate`, then served by sogoctl-started processes: register, login, CRUD, isolation between
// two users and per-field validation errors, on SQLite and on MariaDB.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { createTestDatabase, MARIADB, mariadbAvailable, type TestDatabase } from '../helpers/mariadb.js';
import { BIN, freePort, type HttpResult, waitFor } from '../helpers/platform.js';

const HOST = 'monapp.test';
export const SEED_SCHEMA = `# config/schema/monapp.yaml — the seed's example
tables:
  users:
    fields:
      id: { type: int, primary: true, auto: true }
      email: { type: string, unique: true, auth: login }
      password: { type: string, auth: password, hidden: true }
  projects:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      name: { type: string, required: true }
      priority: { type: int, min: 1, max: 5, default: 3 }
    crud: [list, show, create, update, delete]
`;

interface SchemaPlatform {
  dir: string;
  configDir: string;
  request(method: string, path: string, body?: unknown, token?: string): Promise<HttpResult>;
  stop(): Promise<void>;
}

function runMigrate(configDir: string, ...args: string[]) {
  return spawnSync(join(BIN, 'sogoms-schema'), ['migrate', '-config', configDir, ...args], {
    encoding: 'utf8',
  });
}

async function startSchemaPlatform(driver: 'sqlite' | 'mysql', db?: TestDatabase): Promise<SchemaPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'sgs-'));
  const configDir = join(dir, 'config');
  const run = join(dir, 'run');
  for (const sub of ['routes', 'schema']) mkdirSync(join(configDir, sub), { recursive: true });
  mkdirSync(run);
  writeFileSync(join(dir, 'jwt'), 'schema-test-secret-0123456789abcdef0123456789\n');
  const database =
    driver === 'sqlite'
      ? `  driver: sqlite\n  file: ../monapp.db\n  create: true`
      : `  driver: mysql\n  host: ${MARIADB.host}\n  port: ${MARIADB.port}\n  user: ${MARIADB.user}\n  password: "${MARIADB.password}"\n  name: ${db!.name}`;
  writeFileSync(
    join(configDir, 'routes', 'monapp.yaml'),
    `app: monapp\nhosts: [${HOST}]\ndatabase:\n${database}\nauth:\n  jwt_secret_file: ../jwt\n  bcrypt_cost: 4\n`,
  );
  writeFileSync(join(configDir, 'schema', 'monapp.yaml'), SEED_SCHEMA);
  const migrated = runMigrate(configDir);
  expect(migrated.stderr).toBe('');
  expect(migrated.status).toBe(0);
  expect(migrated.stdout).toContain('monapp: ');

  const port = await freePort();
  writeFileSync(
    join(configDir, 'sogoctl.yaml'),
    `supervisor:
  health_interval: 1s
  restart_delay: 200ms
  stop_timeout: 5s
  log_file: ${join(dir, 'sogoctl.log')}
  control_socket: ${join(run, 'sogoctl.sock')}
services:
  sogoms-db:
    binary: ${join(BIN, 'sogoms-db')}
    args: ["-config", "${configDir}", "-socket", "${run}/sogoms-db.1.sock"]
    health_socket: ${run}/sogoms-db.1.sock
  sogoms-schema:
    binary: ${join(BIN, 'sogoms-schema')}
    args: ["-config", "${configDir}", "-socket", "${run}/sogoms-schema.1.sock"]
    health_socket: ${run}/sogoms-schema.1.sock
  sogoway:
    binary: ${join(BIN, 'sogoway')}
    args: ["-config", "${configDir}", "-port", "${port}", "-host", "127.0.0.1", "-rundir", "${run}"]
    health_url: http://127.0.0.1:${port}/health
    depends_on: [sogoms-db]
`,
  );
  const sogoctl: ChildProcess = spawn(join(BIN, 'sogoctl'), ['-config', configDir], { stdio: 'ignore' });
  const gone = new Promise((r) => sogoctl.once('exit', r));
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok,
    30_000,
    'schema platform health',
  );
  return {
    dir,
    configDir,
    async request(method, path, body, token) {
      const headers: Record<string, string> = { host: HOST };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const { request } = await import('node:http');
      return new Promise((resolve, reject) => {
        const req = request(`http://127.0.0.1:${port}/api${path}`, { method, headers }, (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: new Headers(res.headers as Record<string, string>),
              body: text ? JSON.parse(text) : {},
            } as HttpResult),
          );
        });
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    async stop() {
      sogoctl.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function scenario(p: SchemaPlatform): Promise<void> {
  const reg = await p.request('POST', '/auth/register', {
    email: 'ada@example.com',
    password: 'correct-horse',
  });
  expect(reg.status).toBe(201);
  expect((reg.body.data as { user: Record<string, unknown> }).user).not.toHaveProperty('password');
  await p.request('POST', '/auth/register', { email: 'bob@example.com', password: 'battery-staple' });
  const login = async (email: string, password: string) => {
    const res = await p.request('POST', '/auth/login', { email, password });
    expect(res.status).toBe(200);
    return (res.body.data as { token: string }).token;
  };
  const ada = await login('ada@example.com', 'correct-horse');
  const bob = await login('bob@example.com', 'battery-staple');

  const created = await p.request('POST', '/projects', { name: 'Apollo', priority: 2 }, ada);
  expect(created.status).toBe(201);
  const id = (created.body.data as { insert_id: number }).insert_id;
  const shown = await p.request('GET', `/projects/${id}`, undefined, ada);
  expect(shown.body.data).toMatchObject({ id, name: 'Apollo', priority: 2 });
  expect((await p.request('PUT', `/projects/${id}`, { name: 'Apollo 11' }, ada)).status).toBe(200);
  const list = await p.request('GET', '/projects', undefined, ada);
  expect((list.body.data as { name: string }[]).map((r) => r.name)).toEqual(['Apollo 11']);

  // Isolation: Bob neither sees, changes nor deletes Ada's project, and his list is empty.
  expect((await p.request('GET', '/projects', undefined, bob)).body.data).toEqual([]);
  expect((await p.request('GET', `/projects/${id}`, undefined, bob)).status).toBe(404);
  expect((await p.request('PUT', `/projects/${id}`, { name: 'mine' }, bob)).status).toBe(404);
  expect((await p.request('DELETE', `/projects/${id}`, undefined, bob)).status).toBe(404);
  // The owner comes from the token, never from the body.
  const forged = await p.request('POST', '/projects', { name: 'Forged', user_id: 1 }, bob);
  expect(forged.status).toBe(201);
  const bobs = await p.request('GET', '/projects', undefined, bob);
  expect((bobs.body.data as { user_id: number }[]).map((r) => r.user_id)).not.toContain(1);

  // Validation: every bad field at once, by name.
  const bad = await p.request('POST', '/projects', { priority: 9, colour: 'red' }, ada);
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
  expect((bad.body.error as { fields?: unknown }).fields).toEqual({
    colour: 'unknown field',
    name: 'required',
    priority: 'must be an integer between 1 and 5',
  });

  expect((await p.request('DELETE', `/projects/${id}`, undefined, ada)).status).toBe(200);
  expect((await p.request('GET', `/projects/${id}`, undefined, ada)).status).toBe(404);
}

describe('schema app (the seed example) over HTTP through sogoctl', () => {
  beforeAll(() => {
    for (const app of ['sogoctl', 'sogoway', 'sogoms-db', 'sogoms-schema']) ensureBuilt(app);
  }, 120_000);

  it('SQLite: migrate, register, login, CRUD, isolation, validation', async () => {
    const p = await startSchemaPlatform('sqlite');
    try {
      await scenario(p);
      const sqlite = new Database(join(p.dir, 'monapp.db'), { readonly: true });
      const rows = sqlite.prepare('SELECT app FROM sogoms_schema_migrations').all();
      sqlite.close();
      expect(rows).toEqual([{ app: 'monapp' }]);
    } finally {
      await p.stop();
    }
  }, 90_000);

  it('MariaDB: migrate, register, login, CRUD, isolation, validation', async () => {
    if (!(await mariadbAvailable())) return;
    const db = await createTestDatabase();
    const p = await startSchemaPlatform('mysql', db);
    try {
      await scenario(p);
      expect(await db.rows('SELECT app FROM sogoms_schema_migrations')).toEqual([{ app: 'monapp' }]);
    } finally {
      await p.stop();
      await db.drop();
    }
  }, 90_000);
});
