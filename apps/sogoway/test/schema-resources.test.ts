// Resources generated from schema/{app}.yaml (DOCTECH §4.10), over HTTP against the in-process gateway on a real
// SQLite file that sogoms-schema's migrate created: hidden fields, the list query's powers, foreign keys checked
// like YAML `references`, a hand-written queries/ file overriding one resource, per-role filters and an open
// table, and a hot reload of the schema file (an invalid edit refused, the previous schema kept).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  type ConfigReloader,
  createConfigReloader,
  LastGoodConfig,
  loadPlatformConfig,
  type PlatformConfig,
  watchedFolders,
} from '@sogoms/config';
import { createServiceClient, type ServiceClient } from '@sogoms/protocol';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateApps } from '../../sogoms-schema/src/apps.js';
import { buildGateway } from '../src/gateway.js';
import { type RecordingService, startRecordingService } from './helpers/recording-services.js';
import { type DbService, type SqliteDatabase, startDbService } from './helpers/sqlite-db-service.js';

const HOST = 'demo.test';
const PASSWORD = 'correct-horse-battery';
/** The gateway's folders besides routes/ (main.ts): schema/ comes with queries/. */
const GATEWAY_PARTS = ['queries', 'emails'] as const;

const ROUTES = `app: demo
hosts: [${HOST}]
database:
  driver: sqlite
  file: ../data/demo.db
  create: true
auth:
  jwt_secret: demo-schema-secret-0123456789abcdef0123
  bcrypt_cost: 4
`;

const SCHEMA = `tables:
  users:
    fields:
      id: { type: int, primary: true, auto: true }
      email: { type: string, unique: true, auth: login }
      password: { type: string, auth: password, hidden: true }
      name: { type: string }
      role: { type: string, default: user }
  projects:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      name: { type: string, required: true }
      code: { type: string, hidden: true }
    crud: [list, show, create, update, delete]
    filters: { admin: "" }
  tasks:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      project_id: { type: int, foreign: projects.id, on_delete: set null }
      title: { type: string, required: true, max: 100 }
      priority: { type: int, min: 1, max: 5, default: 3 }
      due: { type: date }
      secret: { type: string, hidden: true }
    crud: [list, show, create, update, delete]
  notes:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      body: { type: string, required: true }
    crud: [list, show, create, update, delete]
  countries:
    fields:
      id: { type: int, primary: true, auto: true }
      code: { type: string, unique: true, max: 2 }
      name: { type: string, required: true }
    crud: [list, show]
    filter: none
`;

// A hand-written file for one generated resource: no user_id in its SELECT, newest first, no filterable columns.
const NOTES_YAML = `list:
  query: SELECT id, body FROM notes
  filters: { default: "user_id = :user_id" }
  order: "id DESC"
show:
  query: SELECT id, body FROM notes WHERE id = :id
  filters: { default: "user_id = :user_id" }
create: { table: notes, fields: [body] }
`;

type Row = Record<string, unknown>;
interface Answer {
  status: number;
  body: { success: boolean; data?: unknown; meta?: Row; error?: { code: string; message: string } & Row };
}
interface User {
  id: number;
  token: string;
}

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (
  file: string,
) => SqliteDatabase & { pragma(source: string): unknown };

let dir: string;
let configDir: string;
let schemaFile: string;
let config: PlatformConfig;
let lastGood: LastGoodConfig;
let reloader: ConfigReloader;
const reloads: PlatformConfig[] = [];
const refused: Error[] = [];
let db: DbService;
let logs: RecordingService;
let sqlite: SqliteDatabase;
let gateway: FastifyInstance;
const clients: ServiceClient[] = [];
let users = 0;

async function migrate(): Promise<{ statements: string[]; refused: string[]; applied: boolean }> {
  const [result] = await migrateApps(loadPlatformConfig(configDir), ['demo'], {});
  return result!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sg-sr-'));
  configDir = join(dir, 'config');
  for (const sub of ['routes', 'schema', 'queries/demo', 'emails'])
    mkdirSync(join(configDir, sub), { recursive: true });
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'run'));
  writeFileSync(join(configDir, 'routes', 'demo.yaml'), ROUTES);
  schemaFile = join(configDir, 'schema', 'demo.yaml');
  writeFileSync(schemaFile, SCHEMA);
  writeFileSync(join(configDir, 'queries', 'demo', 'notes.yaml'), NOTES_YAML);
  // The tables as an operator makes them: sogoms-schema's migration of the schema file.
  const migrated = await migrate();
  expect(migrated).toMatchObject({ refused: [], applied: true });

  // sogoms-db stand-in serving the migrated file (foreign keys on, as sogoms-db opens SQLite).
  db = await startDbService(join(dir, 'run', 'sogoms-db.1.sock'), []);
  const file = new Database(join(dir, 'data', 'demo.db'));
  file.pragma('foreign_keys = ON');
  sqlite = file;
  db.databases.set('demo', sqlite);
  logs = await startRecordingService(join(dir, 'run', 'sogoms-logs.1.sock'), ['log_event', 'log_error']);
  const client = (service: string) => {
    const c = createServiceClient({ discover: { dir: join(dir, 'run'), service } });
    clients.push(c);
    return c;
  };

  // The gateway's own loading and reloading (main.ts): the last good config, the watched folders, the swap.
  lastGood = new LastGoodConfig({
    dir: configDir,
    file: join(dir, 'run', 'sogoway.0.last-good.json'),
    parts: GATEWAY_PARTS,
  });
  config = lastGood.start();
  gateway = buildGateway({
    config: () => config,
    services: { db: client('db'), logs: client('logs') },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    requestTimeoutMs: 2_000,
    version: '9.9.9-test',
  });
  await gateway.ready();
  reloader = createConfigReloader<PlatformConfig>({
    dir: configDir,
    folders: watchedFolders(GATEWAY_PARTS),
    load: lastGood.load,
    apply: (next) => {
      config = next;
      lastGood.commit(next);
      reloads.push(next);
    },
    onError: (err) => {
      lastGood.refused(err);
      refused.push(err);
    },
    debounceMs: 50,
    pollMs: 200,
  });
});

afterAll(async () => {
  reloader?.close();
  await gateway?.close();
  for (const c of clients) c.close();
  await Promise.all([db?.close(), logs?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function request(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  token?: string,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = { host: HOST };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await gateway.inject({
    method,
    url: `/api${url}`,
    headers,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Answer['body'] };
}

const get = (url: string, token: string) => request('GET', url, token);

/** A new user (registered through /auth/register), with a fresh token. */
async function register(label: string): Promise<User & { email: string }> {
  const email = `${label}-${++users}@example.com`;
  const res = await request('POST', '/auth/register', undefined, { email, password: PASSWORD, name: label });
  if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const data = res.body.data as { token: string; user: { id: number } };
  return { id: data.user.id, token: data.token, email };
}

async function login(email: string): Promise<Answer> {
  return request('POST', '/auth/login', undefined, { email, password: PASSWORD });
}

async function create(resource: string, token: string, body: Row): Promise<number> {
  const res = await request('POST', `/${resource}`, token, body);
  if (res.status !== 201) throw new Error(`create ${resource}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.data as { insert_id: number }).insert_id;
}

function rows(sql: string, ...args: unknown[]): Row[] {
  return sqlite.prepare(sql).all(...args);
}

const data = (res: Answer) => res.body.data as Row[];
const titles = (res: Answer) => data(res).map((r) => r.title);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('schema-generated resources over HTTP', () => {
  it('never answers a hidden field (password hash, hidden columns) and refuses ?fields= naming one', async () => {
    const a = await register('hidden');
    // The users' password column holds a hash that no /auth answer carries.
    expect(rows('SELECT password FROM users WHERE id = ?', a.id)[0]!.password).toMatch(/^\$2[aby]\$/);
    const logged = await login(a.email);
    expect(logged.status).toBe(200);
    expect((logged.body.data as { user: Row }).user).not.toHaveProperty('password');
    const me = await get('/auth/me', a.token);
    expect(me.status).toBe(200);
    expect(JSON.stringify(me.body)).not.toContain('password');

    // A hidden column is written (it is a field of the table) but never read back.
    const project = await create('projects', a.token, { name: 'Vault', code: 'P-SECRET' });
    const task = await create('tasks', a.token, { title: 'hide me', secret: 's3cr3t', project_id: project });
    expect(rows('SELECT secret FROM tasks WHERE id = ?', task)).toEqual([{ secret: 's3cr3t' }]);
    expect(rows('SELECT code FROM projects WHERE id = ?', project)).toEqual([{ code: 'P-SECRET' }]);
    const answers = [
      await get('/tasks', a.token),
      await get(`/tasks/${task}`, a.token),
      await get('/tasks?expand=project', a.token),
      await get('/projects', a.token),
      await get(`/projects/${project}`, a.token),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/s3cr3t|P-SECRET|"secret"|"code"/);
    }
    expect(data(answers[0]!)[0]).toEqual({
      id: task,
      user_id: a.id,
      project_id: project,
      title: 'hide me',
      priority: 3,
      due: null,
    });
    expect(data(answers[2]!)[0]!.project).toEqual({ id: project, user_id: a.id, name: 'Vault' });

    const fields = await get('/tasks?fields=title,secret', a.token);
    expect(fields.status).toBe(400);
    expect(fields.body.error).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Unknown fields: secret; allowed: id, user_id, project_id, title, priority, due',
    });
    const filter = await get('/tasks?filter[secret]=s3cr3t', a.token);
    expect(filter.status).toBe(400);
    expect(filter.body.error!.message).toContain('Cannot filter by "secret"');
    const sort = await get('/tasks?sort=secret', a.token);
    expect(sort.status).toBe(400);
    expect(sort.body.error!.message).toContain('Cannot sort by "secret"');
    expect((await get('/projects?fields=code', a.token)).body.error!.message).toContain(
      'Unknown fields: code',
    );
  });

  it('lists with filters, multi-key sort, ?fields=, ?count=, ?expand= and refuses unknown parameters, over the caller’s rows only', async () => {
    const a = await register('lister');
    const b = await register('other');
    const projectA = await create('projects', a.token, { name: 'Alpha' });
    const projectB = await create('projects', b.token, { name: 'Beta' });
    for (const body of [
      { title: 'write spec', priority: 3, project_id: projectA, due: '2026-01-10' },
      { title: 'write code', priority: 1, project_id: projectA, due: '2026-01-05' },
      { title: 'review', priority: 2 },
      { title: 'ship', priority: 5, due: '2026-02-01' },
    ])
      await create('tasks', a.token, body);
    await create('tasks', b.token, {
      title: 'write b',
      priority: 3,
      project_id: projectB,
      due: '2026-01-10',
    });

    const list = (query: string, token = a.token) => get(`/tasks?${query}`, token);
    // Operators: eq, gt / lte, in, like, null — ANDed, and never reaching b's "write b".
    expect(titles(await list('filter[priority]=3'))).toEqual(['write spec']);
    expect(titles(await list('filter[priority][gt]=1&filter[priority][lte]=3'))).toEqual([
      'write spec',
      'review',
    ]);
    expect(titles(await list('filter[priority][in]=1,5'))).toEqual(['write code', 'ship']);
    expect(titles(await list('filter[title][like]=write*'))).toEqual(['write spec', 'write code']);
    expect(titles(await list('filter[due][null]=true'))).toEqual(['review']);
    expect(titles(await list('filter[project_id][null]=false&filter[due][gt]=2026-01-06'))).toEqual([
      'write spec',
    ]);
    expect(titles(await list('filter[due]=2026-01-10'))).toEqual(['write spec']);

    // Several sort keys, a selection of fields, the total behind a short page.
    const page = await list('sort=-priority,title&fields=title,priority&count=true&limit=3');
    expect(page.status).toBe(200);
    expect(page.body.data).toEqual([
      { title: 'ship', priority: 5 },
      { title: 'write spec', priority: 3 },
      { title: 'review', priority: 2 },
    ]);
    expect(page.body.meta).toMatchObject({ limit: 3, total: 4 });
    const next = page.body.meta!.next as string;
    const rest = await list(`sort=-priority,title&fields=title&after=${next}`);
    expect(rest.body.data).toEqual([{ title: 'write code' }]);
    expect((await list('count=true&filter[title][like]=write*')).body.meta).toMatchObject({ total: 2 });
    expect((await list('count=true', b.token)).body.meta).toMatchObject({ total: 1 });

    // ?expand=project embeds the project, or null when it is another user's (pointed at behind the API's back).
    sqlite
      .prepare('UPDATE tasks SET project_id = ? WHERE user_id = ? AND title = ?')
      .run(projectB, a.id, 'ship');
    const expanded = await list('expand=project&fields=title,project_id&sort=title');
    expect(expanded.status).toBe(200);
    expect(expanded.body.data).toEqual([
      { title: 'review', project_id: null, project: null },
      { title: 'ship', project_id: projectB, project: null },
      { title: 'write code', project_id: projectA, project: { id: projectA, user_id: a.id, name: 'Alpha' } },
      { title: 'write spec', project_id: projectA, project: { id: projectA, user_id: a.id, name: 'Alpha' } },
    ]);
    const theirs = await list('expand=project&fields=title', b.token);
    expect(theirs.body.data).toEqual([
      { title: 'write b', project: { id: projectB, user_id: b.id, name: 'Beta' } },
    ]);

    const unknown = await list('colour=red&limit=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'Unknown query parameter(s): colour',
    });
    expect((await list('expand=owner')).body.error!.message).toContain('Unknown expand: owner');
  });

  it('checks a `foreign: projects.id` field like YAML references: another user’s project is a 400 naming it, nothing written', async () => {
    const a = await register('ref');
    const b = await register('ref-other');
    const mine = await create('projects', a.token, { name: 'Mine' });
    const theirs = await create('projects', b.token, { name: 'Theirs' });
    const count = () => rows('SELECT COUNT(*) AS n FROM tasks')[0]!.n;
    const before = count();

    for (const project_id of [theirs, 999_999]) {
      const res = await request('POST', '/tasks', a.token, { title: 'sneaky', project_id });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        message: 'project_id must be the id of one of the projects you can see',
        fields: { project_id: 'must be the id of one of the projects you can see' },
      });
    }
    expect(count()).toBe(before);

    const task = await create('tasks', a.token, { title: 'honest', project_id: mine });
    const moved = await request('PUT', `/tasks/${task}`, a.token, { title: 'moved', project_id: theirs });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'project_id must be the id of one of the projects you can see',
      fields: { project_id: 'must be the id of one of the projects you can see' },
    });
    expect(rows('SELECT title, project_id FROM tasks WHERE id = ?', task)).toEqual([
      { title: 'honest', project_id: mine },
    ]);
    // Clearing it, or pointing at one's own project, goes through.
    expect((await request('PUT', `/tasks/${task}`, a.token, { project_id: null })).status).toBe(200);
    expect((await request('PUT', `/tasks/${task}`, a.token, { project_id: mine })).status).toBe(200);
    expect(rows('SELECT project_id FROM tasks WHERE id = ?', task)).toEqual([{ project_id: mine }]);
  });

  it('serves a hand-written queries/demo/notes.yaml instead of the generated notes; the other resources stay generated', async () => {
    const a = await register('notes');
    const first = await create('notes', a.token, { body: 'first' });
    const second = await create('notes', a.token, { body: 'second' });
    // The YAML's select list (no user_id) and order (newest first), not the generated `id ASC` of every column.
    const list = await get('/notes', a.token);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      { id: second, body: 'second' },
      { id: first, body: 'first' },
    ]);
    expect((await get(`/notes/${first}`, a.token)).body.data).toEqual({ id: first, body: 'first' });
    // The YAML file has no filterable columns, no update and no delete: the generated ones are not mixed in.
    const filtered = await get('/notes?filter[body]=first', a.token);
    expect(filtered.status).toBe(400);
    expect(filtered.body.error!.message).toBe('Cannot filter by "body"');
    expect((await request('PUT', `/notes/${first}`, a.token, { body: 'x' })).status).toBe(405);
    expect((await request('DELETE', `/notes/${first}`, a.token)).status).toBe(405);
    // The YAML create takes only its `fields`, checked the YAML way (no per-field map of the schema).
    const bad = await request('POST', '/notes', a.token, { body: 'x', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({ code: 'VALIDATION_ERROR', message: 'Unknown field(s): colour' });

    // Projects next door are still the generated resource: every visible column, id order, filterable, validated.
    await create('projects', a.token, { name: 'Zeta' });
    await create('projects', a.token, { name: 'Alpha' });
    const projects = await get('/projects?filter[name][like]=*a', a.token);
    expect(projects.status).toBe(200);
    expect(projects.body.data).toEqual([
      expect.objectContaining({ user_id: a.id, name: 'Zeta' }),
      expect.objectContaining({ user_id: a.id, name: 'Alpha' }),
    ]);
    const invalid = await request('POST', '/projects', a.token, { colour: 'red' });
    expect(invalid.body.error).toMatchObject({ fields: { colour: 'unknown field', name: 'required' } });
    expect(config.apps['demo']!.resources['notes']!.list!.query).toBe('SELECT id, body FROM notes');
    expect(config.apps['demo']!.resources['tasks']!.list!.query).toBe(
      'SELECT id, user_id, project_id, title, priority, due FROM tasks',
    );
  });

  it('applies a table’s per-role `filters` (admin sees every row) and serves every row of a `filter: none` table', async () => {
    const a = await register('plain');
    const b = await register('boss');
    const pa = await create('projects', a.token, { name: 'A-project' });
    const pb = await create('projects', b.token, { name: 'B-project' });
    // The role comes from the users row (register never sets it); a new login carries it.
    sqlite.prepare("UPDATE users SET role = 'admin' WHERE id = ?").run(b.id);
    const adminLogin = await login(b.email);
    const admin = (adminLogin.body.data as { token: string }).token;

    const everyProject = rows('SELECT id FROM projects ORDER BY id').map((r) => r.id);
    const seen = await get('/projects?limit=500&count=true', admin);
    expect(data(seen).map((r) => r.id)).toEqual(everyProject);
    expect(seen.body.meta).toMatchObject({ total: everyProject.length });
    expect((await get(`/projects/${pa}`, admin)).body.data).toMatchObject({ id: pa, user_id: a.id });
    expect((await request('PUT', `/projects/${pa}`, admin, { name: 'renamed by admin' })).status).toBe(200);
    // The plain user still sees only their own; tasks (no admin entry) stay owner-filtered for the admin too.
    expect(data(await get('/projects', a.token)).map((r) => r.id)).toEqual([pa]);
    expect((await get(`/projects/${pb}`, a.token)).status).toBe(404);
    await create('tasks', a.token, { title: 'not for the admin' });
    expect(titles(await get('/tasks', admin))).toEqual([]);
    // An admin may point a row of theirs at a project they can see, another user's included.
    expect((await request('POST', '/tasks', admin, { title: 'admin task', project_id: pa })).status).toBe(
      201,
    );

    // `filter: none`: every logged-in user reads every row; no writes are generated.
    sqlite.prepare("INSERT INTO countries (code, name) VALUES ('FR', 'France'), ('DE', 'Germany')").run();
    for (const token of [a.token, b.token, admin]) {
      const countries = await get('/countries?sort=code', token);
      expect(countries.status).toBe(200);
      expect(countries.body.data).toEqual([
        { id: 2, code: 'DE', name: 'Germany' },
        { id: 1, code: 'FR', name: 'France' },
      ]);
      expect((await get('/countries/1', token)).body.data).toEqual({ id: 1, code: 'FR', name: 'France' });
    }
    expect((await request('POST', '/countries', a.token, { code: 'IT', name: 'Italy' })).status).toBe(405);
  });

  it('serves an edited schema file after the reload and refuses an invalid edit, keeping the previous schema', async () => {
    const a = await register('reload');
    const task = await create('tasks', a.token, { title: 'before the edit' });
    const shown = async () => (await get(`/tasks/${task}`, a.token)).body.data as Row;
    expect(Object.keys(await shown())).not.toContain('note');

    // 1. A new field, migrated the way an operator does (sogoms-schema migrate), is listed and writable.
    const withNote = SCHEMA.replace(
      '      secret: { type: string, hidden: true }\n',
      '      secret: { type: string, hidden: true }\n      note: { type: string, max: 40 }\n',
    );
    writeFileSync(schemaFile, withNote);
    expect(await migrate()).toMatchObject({ refused: [], applied: true });
    await until('the note field', async () => Object.hasOwn(await shown(), 'note'));
    expect(await shown()).toMatchObject({ title: 'before the edit', note: null });
    expect((await request('PUT', `/tasks/${task}`, a.token, { note: 'added' })).status).toBe(200);
    expect((await get('/tasks?filter[note]=added&fields=title,note', a.token)).body.data).toEqual([
      { title: 'before the edit', note: 'added' },
    ]);

    // 2. A lower max is the gateway's own check: in force as soon as the file is reloaded.
    const tooLong = 'x'.repeat(30);
    expect((await request('POST', '/tasks', a.token, { title: tooLong })).status).toBe(201);
    writeFileSync(
      schemaFile,
      withNote.replace(
        'title: { type: string, required: true, max: 100 }',
        'title: { type: string, required: true, max: 20 }',
      ),
    );
    await until(
      'title max 20',
      async () => (await request('POST', '/tasks', a.token, { title: tooLong })).status === 400,
    );
    const long = await request('POST', '/tasks', a.token, { title: tooLong });
    expect(long.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      fields: { title: 'must be at most 20 characters' },
    });
    const served = config;

    // 3. An invalid edit is refused with its file and key path; the previous schema keeps serving.
    const refusedBefore = refused.length;
    writeFileSync(
      schemaFile,
      readFileSync(schemaFile, 'utf8').replace(
        'note: { type: string, max: 40 }',
        'note: { type: colour, max: 40 }',
      ),
    );
    await until('the refusal', async () => refused.length > refusedBefore);
    const err = refused.at(-1)!;
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      expect.objectContaining({ file: schemaFile, path: 'tables.tasks.fields.note.type' }),
    ]);
    expect(config).toBe(served);
    expect(lastGood.origin).toBe('live');
    expect(await shown()).toMatchObject({ note: 'added' });
    expect((await request('POST', '/tasks', a.token, { title: tooLong })).body.error).toMatchObject({
      fields: { title: 'must be at most 20 characters' },
    });
    expect((await request('POST', '/tasks', a.token, { title: 'short', note: 'still here' })).status).toBe(
      201,
    );
    expect(reloads.length).toBeGreaterThanOrEqual(2);
  });
});
