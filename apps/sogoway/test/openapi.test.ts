// GET /api/openapi.json (phase 15, item 6): an OpenAPI 3.1 document per app, served on the app's Host without a
// token, valid for an OpenAPI 3.1 validator; YAML resources here (the prokov queries), schema resources typed
// from their fields; /api/docs renders it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { loadPlatformConfig } from '@sogoms/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument, openApiJson } from '../src/openapi/document.js';
import { type Fixture, HOST, OTHER_HOST, startFixture } from './helpers/fixture.js';

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

type Doc = {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, { parameters?: { name: string }[]; security?: unknown }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

async function validate(doc: unknown): Promise<{ valid: boolean; errors: unknown }> {
  const validator = new Validator();
  const res = await validator.validate(doc as Record<string, unknown>);
  return { valid: res.valid, errors: res.errors };
}

describe('GET /api/openapi.json', () => {
  it('is served without a token on the app’s Host and validates as OpenAPI 3.1', async () => {
    const res = await f.request({ url: '/api/openapi.json' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const doc = JSON.parse(res.raw) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(await validate(doc)).toEqual({ valid: true, errors: undefined });
    expect(doc.servers).toEqual([{ url: '/api' }]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/auth/login',
        '/auth/me',
        '/tasks',
        '/tasks/{id}',
        '/projects',
        '/projects/{id}',
      ]),
    );
    expect(Object.keys(doc.paths['/tasks']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/tasks/{id}']!).sort()).toEqual(['delete', 'get', 'parameters', 'put']);
    expect(doc.paths['/tasks']!.get!.security).toEqual([{ bearerAuth: [] }]);
    const params = doc.paths['/tasks']!.get!.parameters!.map((p) => p.name);
    expect(params).toEqual(
      expect.arrayContaining([
        'limit',
        'offset',
        'after',
        'sort',
        'count',
        'fields',
        'expand',
        'project_id',
        'filter[priority]',
        'filter[priority][gte]',
        'filter[title][like]',
        'filter[due_date][null]',
      ]),
    );
    expect(params).not.toContain('filter[user_id]');
    expect(doc.components.schemas.Error!.required).toEqual(['success', 'error']);
  });

  it('each app gets its own document, on its own Host; a non-GET is 405', async () => {
    const other = await f.request({ url: '/api/openapi.json', host: OTHER_HOST });
    expect(other.status).toBe(200);
    expect((JSON.parse(other.raw) as { info: { title: string } }).info.title).toBe('other API');
    const post = await f.request({ method: 'POST', url: '/api/openapi.json', body: {} });
    expect(post.status).toBe(405);
  });

  it('is built once per config object', () => {
    const app = f.config.apps['prokov']!;
    expect(openApiJson(app)).toBe(openApiJson(app));
  });

  it('GET /api/docs is an HTML page pointing at the document', async () => {
    const res = await f.gateway.inject({ method: 'GET', url: '/api/docs', headers: { host: HOST } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('data-url="/api/openapi.json"');
  });
});

describe('schema resources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-oa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are typed from their fields (required, enum, nullable, hidden fields absent)', async () => {
    for (const sub of ['routes', 'schema']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(
      join(dir, 'routes', 'demo.yaml'),
      'app: demo\nhosts: [demo.test]\ndatabase:\n  driver: sqlite\n  file: demo.db\n  create: true\nauth:\n  jwt_secret: demo-secret-0123456789abcdef0123456789\n',
    );
    writeFileSync(
      join(dir, 'schema', 'demo.yaml'),
      `tables:
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
    crud: [list, show, create, update, delete]
  tasks:
    fields:
      id: { type: int, primary: true, auto: true }
      user_id: { type: int, foreign: users.id, filter: owner }
      project_id: { type: int, foreign: projects.id }
      title: { type: string, required: true }
      state: { type: enum, values: [todo, done], default: todo }
      secret: { type: string, hidden: true }
    crud: [list, show, create, update, delete]
`,
    );
    const app = loadPlatformConfig(dir).apps['demo']!;
    const doc = openApiDocument(app) as unknown as Doc;
    expect(await validate(doc)).toEqual({ valid: true, errors: undefined });
    const row = doc.components.schemas['tasksRow']!.properties!;
    expect(Object.keys(row)).toEqual(['id', 'user_id', 'project_id', 'title', 'state']);
    expect(row['project_id']).toEqual({ type: ['integer', 'null'] });
    expect(row['state']).toEqual({ type: 'string', enum: ['todo', 'done'] });
    expect(doc.components.schemas['tasksCreate']!.required).toEqual(['title']);
    const params = doc.paths['/tasks']!.get!.parameters!.map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['expand', 'filter[state][in]', 'fields']));
    expect(params).not.toContain('filter[secret]');
    expect(app.resources['tasks']!.list!.expand).toEqual({
      project: { field: 'project_id', resource: 'projects' },
    });
  });
});
