// Phase 15, item 6, on the real platform (bin/sogoctl, SQLite): the app's GET /api/openapi.json, fetched
// without a token on the app's Host, validates as OpenAPI 3.1, and every path+method in it answers as documented.
// The walk builds each request from the document itself (path ids of rows it created, bodies generated from the
// requestBody schema, a token where the operation has security), checks the status is the one documented and
// validates the JSON body against that status's response schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses
// it); it also tries each list's query parameters, a call without a token on every secured operation, a body the
// document refuses, and a row the caller does not have. Two apps: prokov from its YAML queries, and prokov from
// config/schema/prokov.yaml alone (no queries/), where the document is typed from the schema's fields.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { BIN, type HttpResult, type Platform, ROOT, startPlatform, waitFor } from '../helpers/platform.js';

type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  security?: unknown[];
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
}
interface Doc {
  servers: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
}
interface Call {
  path: string;
  method: string;
  op: Operation;
  /** Path-level and operation-level parameters, resolved. */
  params: Json[];
}

/** What the document cannot tell a generic client about one app. */
interface WalkOptions {
  /**
   * Values merged over the generated create/update bodies, by resource: only where the document's types are
   * looser than the columns (a YAML resource's fields are documented as any scalar; see DOCTECH §5.8).
   */
  bodies?: Record<string, Json>;
  /** Auth routes the app leaves off: absent from its document, and 404. */
  disabled?: readonly string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Auth calls that end or change the session, walked after the resources, in this order. */
const AUTH_LAST = [
  '/auth/refresh',
  '/auth/password/forgot',
  '/auth/password/reset',
  '/auth/email/verify',
  '/auth/email/resend',
  '/auth/password/change',
  '/auth/logout',
];
/** The documented refusal of a body without its required fields, where it is not 400. */
const REFUSED_BODY: Readonly<Record<string, number>> = {
  // A missing refresh token is an invalid one (DOCTECH §5.2): 401, documented.
  '/auth/refresh': 401,
};
const LIST_STANDARD = new Set(['limit', 'offset', 'after', 'count', 'sort', 'fields', 'expand']);
const DOC_ID = 'urn:sogoms:openapi';

/** The node a `$ref` ("#/components/...") points at, followed until it is not a reference. */
function deref<T = Json>(doc: Doc, node: Json): T {
  let at: unknown = node;
  for (let hops = 0; typeof (at as Json)?.$ref === 'string'; hops++) {
    const ref = (at as Json).$ref as string;
    if (!ref.startsWith('#/') || hops > 10) throw new Error(`cannot follow ${ref}`);
    at = ref
      .slice(2)
      .split('/')
      .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((into, key) => (into as Json | undefined)?.[key], doc);
    if (at === undefined) throw new Error(`unresolved ${ref}`);
  }
  return at as T;
}

/** The types a schema allows, null last. */
function typesOf(schema: Json): string[] {
  const types =
    typeof schema.type === 'string' ? [schema.type] : ((schema.type as string[] | undefined) ?? []);
  return [...types.filter((t) => t !== 'null'), ...types.filter((t) => t === 'null')];
}

/**
 * A value the schema accepts, at one end of its bounds: `high` takes the maximum and the longest string,
 * otherwise the minimum and the shortest, so that the documented limits themselves are tried.
 */
function sample(doc: Doc, node: Json, high: boolean, tag: string): unknown {
  const schema = deref(doc, node);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null) ?? null;
  const type = typesOf(schema)[0];
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const [name, property] of Object.entries((schema.properties as Record<string, Json>) ?? {}))
        out[name] = sample(doc, property, high, high ? `${tag}-${name}`.replaceAll('_', '-') : tag);
      return out;
    }
    case 'array':
      return [];
    case 'boolean':
      return high;
    case 'integer':
    case 'number':
      return high ? ((schema.maximum as number) ?? 2) : ((schema.minimum as number) ?? 1);
    case 'null':
      return null;
    case 'string':
      return sampleString(schema, high, tag);
    default:
      return { walk: tag }; // {}: any JSON value
  }
}

function sampleString(schema: Json, high: boolean, tag: string): string {
  const text = plainString(schema, high, tag);
  // No value is made up for a pattern: the plain text must fit it, else the walk needs a value given.
  if (schema.pattern !== undefined && !new RegExp(String(schema.pattern), 'u').test(text))
    throw new Error(`no generic value for pattern ${String(schema.pattern)}`);
  return text;
}

function plainString(schema: Json, high: boolean, tag: string): string {
  switch (schema.format) {
    case 'email':
      return `${tag.toLowerCase().replace(/[^a-z0-9-]/g, '-')}@example.com`;
    case 'date':
      return high ? '2031-12-31' : '2030-01-31';
    case 'date-time':
      return high ? '2031-12-31T23:59:59Z' : '2030-01-31T08:00:00Z';
  }
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = schema.maxLength as number | undefined;
  let text = tag.padEnd(min, 'x');
  if (high && max !== undefined) text = text.padEnd(max, 'x');
  return max === undefined ? text : text.slice(0, max);
}

/** A list answer's rows. */
function rowsOf(answer: HttpResult): Json[] {
  return Array.isArray(answer.body.data) ? (answer.body.data as Json[]) : [];
}

/** The names a list parameter's description offers ("...; among: a, b, c"). */
function amongOf(param: Json | undefined): string[] {
  const text = /among: (.*)$/.exec(String(param?.description ?? ''))?.[1];
  return text ? text.split(', ') : [];
}

/** Reads the JSON answers of one app against its document. */
class Walk {
  readonly mismatches: string[] = [];
  readonly walked = new Set<string>();
  calls = 0;
  validated = 0;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private tags = 0;
  /** The caller: the account registered by the walk. */
  readonly state = { email: '', password: '', token: '', refreshToken: '' };
  /** Ids of the rows created, by resource (two each). */
  readonly ids: Record<string, number[]> = {};

  constructor(
    readonly p: Platform,
    readonly doc: Doc,
    readonly options: WalkOptions,
  ) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: DOC_ID, components: { schemas: doc.components.schemas } });
  }

  /** Error text when the value does not fit the schema (its `#/components/...` refs resolved in the document). */
  invalid(schema: Json, value: unknown): string | undefined {
    const text = JSON.stringify(schema).replaceAll('"#/components/', `"${DOC_ID}#/components/`);
    let validate = this.compiled.get(text);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(text) as Json);
      this.compiled.set(text, validate);
    }
    this.validated++;
    return validate(value) ? undefined : this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }

  /** A fresh text for a body: long for the `high` end, one or two characters for the other. */
  tag(high: boolean): string {
    this.tags++;
    return high ? `walk${this.tags}` : this.tags.toString(36);
  }

  /** A body from the operation's requestBody schema, with `over` merged in; refused if the document refuses it. */
  body(call: Call, high: boolean, over: Json = {}): Json | undefined {
    if (!call.op.requestBody) return undefined;
    const schema = this.bodySchema(call)!;
    const body = {
      ...(sample(this.doc, schema, high, this.tag(high)) as Json),
      ...this.references(schema),
      ...over,
    };
    const wrong = this.invalid(schema, body);
    if (wrong) throw new Error(`the walk built a body the document refuses for ${label(call)}: ${wrong}`);
    return body;
  }

  bodySchema(call: Call): Json | undefined {
    const body = call.op.requestBody && deref(this.doc, call.op.requestBody);
    return (body?.content as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema;
  }

  /** `x_id` properties point at the caller's own row of the resource x, xs or xes when the walk made one. */
  private references(node: Json): Json {
    const out: Json = {};
    for (const name of Object.keys(deref(this.doc, node).properties ?? {})) {
      const target = referenced(name, Object.keys(this.ids));
      if (target) out[name] = this.ids[target]![0];
    }
    return out;
  }

  /** Sends one request of `call` and checks the answer against the document; returns the answer. */
  async send(
    call: Call,
    expected: number,
    how: { body?: Json; token?: string; query?: Record<string, string>; id?: number; why?: string },
  ): Promise<HttpResult> {
    const idParam = call.params.find((p) => p.in === 'path' && p.name === 'id');
    if (idParam) {
      const wrong = this.invalid(idParam.schema as Json, how.id);
      if (wrong) throw new Error(`the walk built an id the document refuses for ${label(call)}: ${wrong}`);
    }
    const path = call.path.replace('{id}', String(how.id));
    const search = how.query ? `?${new URLSearchParams(how.query)}` : '';
    const answer = await this.p.request(
      call.method.toUpperCase(),
      `${this.doc.servers[0]!.url}${path}${search}`,
      {
        body: how.body,
        token: how.token,
      },
    );
    this.calls++;
    const what = `${label(call)}${search}${how.why ? ` (${how.why})` : ''}`;
    const documented = call.op.responses[String(answer.status)];
    if (!documented) {
      this.mismatches.push(
        `${what}: status ${answer.status} is not documented: ${JSON.stringify(answer.body)}`,
      );
      return answer;
    }
    const schema = (deref(this.doc, documented).content as Record<string, { schema: Json }> | undefined)?.[
      'application/json'
    ]?.schema;
    if (schema) {
      if (!String(answer.headers.get('content-type')).startsWith('application/json'))
        this.mismatches.push(`${what}: content-type ${answer.headers.get('content-type')}`);
      const wrong = this.invalid(schema, answer.body);
      if (wrong) this.mismatches.push(`${what} ${answer.status}: ${wrong}: ${JSON.stringify(answer.body)}`);
    }
    if (answer.status !== expected)
      this.mismatches.push(
        `${what}: ${answer.status} instead of ${expected}: ${JSON.stringify(answer.body)}`,
      );
    return answer;
  }

  /** The documented success of an operation (its one 2xx). */
  success(call: Call): number {
    const ok = Object.keys(call.op.responses).find((s) => s.startsWith('2'));
    if (!ok) throw new Error(`${label(call)} documents no success`);
    return Number(ok);
  }

  /** The walked, expected call: negative probes first (no token, a refused body), then a valid request. */
  async walk(call: Call, how: { body?: Json; id?: number } = {}): Promise<HttpResult> {
    this.walked.add(label(call));
    const token = call.op.security ? this.state.token : undefined;
    if (call.op.security) await this.send(call, 401, { body: how.body, id: how.id, why: 'without a token' });
    const schema = this.bodySchema(call);
    if (schema && this.invalid(schema, {})) {
      const refused = REFUSED_BODY[call.path] ?? 400;
      await this.send(call, refused, { body: {}, token, id: how.id, why: 'a body the document refuses' });
    }
    return this.send(call, this.success(call), { body: how.body, token, id: how.id });
  }

  /** Takes the tokens of a register, login, refresh or password change answer. */
  takeTokens(answer: HttpResult): void {
    const data = answer.body.data as Json | null | undefined;
    if (typeof data?.token === 'string') this.state.token = data.token;
    if (typeof data?.refresh_token === 'string') this.state.refreshToken = data.refresh_token;
  }
}

function label(call: { method: string; path: string }): string {
  return `${call.method.toUpperCase()} ${call.path}`;
}

/** The resource an `x_id` property names, among those given. */
function referenced(property: string, resources: readonly string[]): string | undefined {
  if (!property.endsWith('_id') || property.length <= 3) return undefined;
  const base = property.slice(0, -3);
  return [base, `${base}s`, `${base}es`].find((name) => resources.includes(name));
}

/** Every path+method of the document, with its parameters resolved. */
function operationsOf(doc: Doc): Call[] {
  const calls: Call[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = ((item.parameters as Json[] | undefined) ?? []).map((p) => deref(doc, p));
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const own = (op.parameters ?? []).map((p) => deref(doc, p));
      calls.push({ path, method, op, params: [...shared, ...own] });
    }
  }
  return calls;
}

/** Resources in the order their rows can be made: a resource after those its `x_id` fields point at. */
function creationOrder(walk: Walk, creates: Map<string, Call>): string[] {
  const names = [...creates.keys()];
  const needs = new Map(
    names.map((name) => {
      const schema = walk.bodySchema(creates.get(name)!)!;
      const properties = Object.keys(deref(walk.doc, schema).properties ?? {});
      return [
        name,
        properties.map((p) => referenced(p, names)).filter((r): r is string => !!r && r !== name),
      ];
    }),
  );
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !order.includes(n) && needs.get(n)!.every((r) => order.includes(r)));
    if (!next) throw new Error(`circular references among ${names.join(', ')}`);
    order.push(next);
  }
  return order;
}

/** The token in the newest mail to `to` carrying `marker` (the platform's smtp writes .eml files). */
async function mailedToken(p: Platform, to: string, marker: string): Promise<string> {
  const dir = join(p.dir, 'mail');
  const mail = await waitFor(
    async () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .reverse()
        .map((f) =>
          readFileSync(join(dir, f), 'utf8')
            .replace(/=\r?\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
        )
        .find(
          (text) => text.includes(marker) && new RegExp(`^To: ${to.replaceAll('.', '\\.')}`, 'm').test(text),
        ),
    15_000,
    `a mail to ${to}`,
  );
  return new RegExp(`${marker.replace('?', '\\?')}([0-9]+\\.[0-9]+\\.[A-Za-z0-9_-]+)`).exec(mail)![1]!;
}

/** Walks the whole document of the app `p` serves; returns the walk, whose mismatches the caller checks. */
async function walkDocument(p: Platform, options: WalkOptions): Promise<{ walk: Walk; calls: Call[] }> {
  const res = await p.request('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  const doc = res.body as unknown as Doc;
  const validation = await new Validator().validate(doc as unknown as Record<string, unknown>);
  expect(validation.errors).toBeUndefined();
  expect(validation.valid).toBe(true);

  // A route the app does not enable is left out of its document, and answers 404.
  for (const path of options.disabled ?? []) {
    expect(Object.keys(doc.paths), path).not.toContain(path);
    expect((await p.request('POST', `/api${path}`, { body: {} })).status, path).toBe(404);
  }

  const walk = new Walk(p, doc, options);
  const calls = operationsOf(doc);
  try {
    await walkCalls(walk, calls);
  } catch (err) {
    // A hard stop (a row not made, a list not narrowed) shows the mismatches met before it.
    if (err instanceof Error) err.message += `\nmismatches so far:\n${walk.mismatches.join('\n')}`;
    throw err;
  }
  return { walk, calls };
}

async function walkCalls(walk: Walk, calls: Call[]): Promise<void> {
  const { p, options } = walk;
  const find = (method: string, path: string) => calls.find((c) => c.method === method && c.path === path);
  const auth = (path: string, method = 'post') => {
    const call = find(method, path);
    if (!call) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
    return call;
  };

  // 1. An account, from the register body the document describes; login and me with it.
  const register = auth('/auth/register');
  const account = walk.body(register, false)!;
  const registered = await walk.walk(register, { body: account });
  walk.state.email = String(account.email);
  walk.state.password = String(account.password);
  walk.takeTokens(registered);
  const login = auth('/auth/login');
  walk.takeTokens(await walk.walk(login, { body: walk.body(login, false, credentials(walk)) }));
  await walk.walk(auth('/auth/me', 'get'));

  // 2. Each resource's create, twice (the second row gives the list a next page), in reference order.
  const resources = new Set<string>();
  for (const call of calls) {
    const m = /^\/([^/{}]+)(\/\{id\})?$/.exec(call.path);
    if (m && m[1] !== 'auth') resources.add(m[1]!);
  }
  const creates = new Map(
    [...resources].flatMap((name) => {
      const call = find('post', `/${name}`);
      return call ? [[name, call] as const] : [];
    }),
  );
  const order = creationOrder(walk, creates);
  for (const name of order) {
    const call = creates.get(name)!;
    walk.ids[name] = [];
    for (const high of [true, false]) {
      const created = await walk.walk(call, { body: walk.body(call, high, options.bodies?.[name]) });
      const id = (created.body.data as { insert_id?: unknown } | undefined)?.insert_id;
      if (typeof id === 'number') walk.ids[name].push(id);
    }
    expect(walk.ids[name], `two ${name} rows`).toHaveLength(2);
  }

  // 3. Lists, shows (and one of a row the caller does not have), updates.
  for (const name of resources) {
    const list = find('get', `/${name}`);
    if (list) {
      const answer = await walk.walk(list);
      if (walk.ids[name]) {
        const ids = rowsOf(answer).map((r) => r.id);
        for (const id of walk.ids[name]) expect(ids, `GET /${name} lists row ${id}`).toContain(id);
      }
    }
    const id = walk.ids[name]?.[0] ?? 1;
    const show = find('get', `/${name}/{id}`);
    if (show) {
      await walk.walk(show, { id });
      await walk.send(show, 404, {
        token: walk.state.token,
        id: 999_999,
        why: 'a row the caller does not have',
      });
    }
    const update = find('put', `/${name}/{id}`);
    if (update) {
      await walk.walk(update, { id, body: walk.body(update, false, options.bodies?.[name]) });
      const body = walk.body(update, true, options.bodies?.[name]);
      await walk.send(update, 404, {
        token: walk.state.token,
        id: 999_999,
        body,
        why: 'a row not the caller’s',
      });
    }
  }

  // 4. The documented list parameters, once each.
  for (const name of resources) {
    const list = find('get', `/${name}`);
    const show = find('get', `/${name}/{id}`);
    if (!list || !walk.ids[name] || !show) continue;
    const row = await walk.send(show, 200, {
      token: walk.state.token,
      id: walk.ids[name][0],
      why: 'as updated',
    });
    await listParameters(walk, list, (row.body.data as Json) ?? {}, walk.ids[name]);
  }

  // 5. Deletes, those that point at others first.
  for (const name of [...order].reverse().concat([...resources].filter((n) => !order.includes(n)))) {
    const remove = find('delete', `/${name}/{id}`);
    if (!remove) continue;
    await walk.walk(remove, { id: walk.ids[name]?.[0] ?? 1 });
    await walk.send(remove, 404, { token: walk.state.token, id: walk.ids[name]?.[0] ?? 1, why: 'once more' });
  }

  // 6. The auth calls that spend tokens or change the password, the session's end last.
  const authCalls = calls.filter((c) => c.path.startsWith('/auth/') && !walk.walked.has(label(c)));
  authCalls.sort((a, b) => rank(a.path) - rank(b.path));
  for (const call of authCalls) {
    let over: Json = {};
    if (call.path === '/auth/refresh') over = { refresh_token: walk.state.refreshToken };
    if (['/auth/password/forgot', '/auth/email/resend'].includes(call.path))
      over = { email: walk.state.email };
    if (call.path === '/auth/password/reset')
      over = { token: await mailedToken(p, walk.state.email, 'reset?token=') };
    if (call.path === '/auth/password/change') over = { current_password: walk.state.password };
    const body = walk.body(call, false, over);
    const answer = await walk.walk(call, { body });
    if (answer.status !== 200) continue;
    walk.takeTokens(answer);
    if (call.path === '/auth/password/reset' || call.path === '/auth/password/change')
      walk.state.password = String(body?.password);
    if (call.path === '/auth/password/reset') {
      // A reset ends every session: log in again with the new password.
      walk.takeTokens(await walk.send(login, 200, { body: credentials(walk), why: 'after the reset' }));
    }
  }
}

function credentials(walk: Walk): Json {
  return { email: walk.state.email, password: walk.state.password };
}

/** Auth calls not in AUTH_LAST come first (-1). */
function rank(path: string): number {
  return AUTH_LAST.indexOf(path);
}

/** Each documented list parameter kind once: a filter and a filter operator, the list's own params, sort,
 * fields, expand, count, limit then after, offset; every value checked against its parameter's schema. */
async function listParameters(walk: Walk, list: Call, row: Json, ids: number[]): Promise<void> {
  const params = new Map(list.params.map((p) => [String(p.name), p]));
  const token = walk.state.token;
  const get = async (query: Record<string, string>, why: string) => {
    for (const [name, value] of Object.entries(query)) {
      const param = params.get(name);
      expect(param, `${label(list)} documents ?${name}`).toBeDefined();
      const wrong = walk.invalid(param!.schema as Json, onTheWire(param!.schema as Json, value));
      if (wrong) throw new Error(`the walk built ?${name}=${value}, which the document refuses: ${wrong}`);
    }
    walk.walked.add(`${label(list)} ?${why}`);
    return walk.send(list, 200, { token, query, why });
  };
  const idsOf = (answer: HttpResult) => rowsOf(answer).map((r) => r.id);
  const scalar = (value: unknown) => (typeof value === 'boolean' ? String(Number(value)) : String(value));

  const filters = [...params.keys()].filter((n) => /^filter\[[^\]]+\]$/.test(n));
  const column = ['filter[id]', ...filters]
    .map((n) => n.slice(7, -1))
    .find(
      (c) => params.has(`filter[${c}]`) && row[c] !== null && ['string', 'number'].includes(typeof row[c]),
    );
  if (column) {
    const eq = await get({ [`filter[${column}]`]: scalar(row[column]) }, 'filter');
    expect(idsOf(eq), `filter[${column}] finds the row`).toContain(row.id);
    if (params.has(`filter[${column}][in]`)) {
      const within = await get({ [`filter[${column}][in]`]: scalar(row[column]) }, 'filter operator');
      expect(idsOf(within)).toContain(row.id);
    }
  }
  for (const name of params.keys()) {
    if (LIST_STANDARD.has(name) || name.startsWith('filter[')) continue;
    if (row[name] === null || row[name] === undefined) continue;
    const narrowed = await get({ [name]: scalar(row[name]) }, `param ${name}`);
    expect(idsOf(narrowed), `?${name}= keeps the row`).toContain(row.id);
  }
  const sort = params.get('sort');
  if (sort) {
    const key = /^\^-\?\(([^|)]+)/.exec(String((sort.schema as Json).pattern))?.[1];
    expect(key, 'the sort pattern names its keys').toBeDefined();
    await get({ sort: `-${key}` }, 'sort');
  }
  const fields = amongOf(params.get('fields'));
  if (fields.length > 0) {
    const asked = [...new Set(['id', fields[1] ?? fields[0]!])].filter((f) => fields.includes(f));
    const answer = await get({ fields: asked.join(',') }, 'fields');
    for (const r of rowsOf(answer))
      expect(
        Object.keys(r).every((k) => asked.includes(k)),
        JSON.stringify(r),
      ).toBe(true);
  }
  const expand = amongOf(params.get('expand'));
  if (expand.length > 0) {
    const answer = await get({ expand: expand[0]! }, 'expand');
    for (const r of rowsOf(answer)) expect(r).toHaveProperty(expand[0]!);
  }
  if (params.has('count')) {
    const counted = await get({ count: 'true' }, 'count');
    expect((counted.body.meta as Json | undefined)?.total, '?count=true gives meta.total').toBe(ids.length);
  }
  if (params.has('limit')) {
    const first = await get({ limit: '1' }, 'limit');
    expect(rowsOf(first)).toHaveLength(1);
    const next = (first.body.meta as Json | undefined)?.next;
    expect(typeof next, 'meta.next of a first page of one row out of two').toBe('string');
    if (params.has('after') && typeof next === 'string') {
      const second = await get({ after: next }, 'after');
      expect(idsOf(second)).toHaveLength(1);
      expect(idsOf(second)).not.toEqual(idsOf(first));
    }
  }
  if (params.has('offset')) {
    const skipped = await get({ offset: '1' }, 'offset');
    expect(rowsOf(skipped)).toHaveLength(ids.length - 1);
  }
}

/** A query value as the parameter's schema types it (query strings carry text). */
function onTheWire(schema: Json, value: string): unknown {
  const type = typesOf(schema)[0];
  if (type === 'integer' || type === 'number') return Number(value);
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** Checks and prints the walk's numbers; every operation of the document was called. */
function expectFullWalk(name: string, walk: Walk, calls: Call[]): void {
  const operations = calls.map(label);
  for (const operation of operations) expect(walk.walked, `${operation} walked`).toContain(operation);
  const queries = [...walk.walked].filter((w) => w.includes(' ?')).length;
  console.log(
    `${name}: ${Object.keys(walk.doc.paths).length} paths, ${operations.length} operations, ${queries} list queries, ${walk.calls} requests, ${walk.validated} schema validations`,
  );
  expect(walk.mismatches).toEqual([]);
}

beforeAll(() => {
  for (const app of ['sogoctl', 'sogoway', 'sogoms-db', 'sogoms-logs', 'sogoms-smtp', 'sogoms-schema'])
    ensureBuilt(app);
}, 180_000);

describe('GET /api/openapi.json of the YAML app (prokov queries) on the platform', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ driver: 'sqlite' });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('validates as OpenAPI 3.1, and every path+method answers as documented, with documented bodies', async () => {
    const { walk, calls } = await walkDocument(p, {
      // A YAML resource's fields are documented as any scalar; the columns want these types.
      bodies: {
        projects: { position: 1 },
        statuses: { position: 1 },
        tasks: { priority: 2, due_date: '2030-01-31', position: 1, done: true },
      },
      // auth.yaml has no email_verification.
      disabled: ['/auth/email/verify', '/auth/email/resend'],
    });
    expect(calls.length).toBe(28);
    expectFullWalk('prokov (YAML)', walk, calls);
  }, 120_000);
});

describe('GET /api/openapi.json of a schema app (config/schema/prokov.yaml, no queries/) on the platform', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({
      driver: 'sqlite',
      beforeStart(dir) {
        // The same app from its schema alone: no queries/, the tables made by `sogoms-schema migrate`.
        const configDir = join(dir, 'config');
        unlinkSync(join(configDir, 'queries'));
        mkdirSync(join(configDir, 'schema'));
        copyFileSync(join(ROOT, 'config', 'schema', 'prokov.yaml'), join(configDir, 'schema', 'prokov.yaml'));
        for (const file of ['prokov.db', 'prokov.db-wal', 'prokov.db-shm'])
          rmSync(join(dir, file), { force: true });
        new Database(join(dir, 'prokov.db')).close();
        const migrated = spawnSync(join(BIN, 'sogoms-schema'), ['migrate', '-config', configDir], {
          encoding: 'utf8',
        });
        if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stdout}${migrated.stderr}`);
        return undefined;
      },
    });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('validates as OpenAPI 3.1, and every path+method answers as documented, with documented bodies', async () => {
    const { walk, calls } = await walkDocument(p, {
      // A schema app has neither password_reset nor email_verification (they live in queries/{app}/auth.yaml).
      disabled: ['/auth/password/forgot', '/auth/password/reset', '/auth/email/verify', '/auth/email/resend'],
    });
    expect(calls.length).toBe(26);
    expectFullWalk('prokov (schema)', walk, calls);
  }, 120_000);
});
