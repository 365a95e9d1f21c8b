// Malformed HTTP for every gateway route: broken and hostile bodies, wrong types, huge numbers, unicode, deep
// nesting, bad ids and query strings, wrong methods, odd content types and headers — fixed cases plus a seeded
// random set. `reject` cases must be answered with a 4xx envelope; `any` cases may also succeed (2xx), but
// never with a 5xx.
import type { Rng } from './random.js';

export interface HttpCase {
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Raw body; sent with content-type application/json unless headers say otherwise. */
  body?: string | Buffer;
  token?: boolean;
  expect: 'reject' | 'any';
}

export const RESOURCES = ['projects', 'tasks', 'tags', 'statuses'];
const AUTH_POSTS = ['register', 'login', 'logout', 'password/forgot', 'password/reset'];

const nest = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

/** Bodies no route can accept. */
const BROKEN_BODIES = [
  '{',
  '{"a":',
  'nul',
  '[1,2',
  '"unterminated',
  '{"a":1,}',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '\u0000',
  '\uFEFF{}',
  '[]',
  '[{}]',
  '1',
  '"x"',
  'null',
  'true',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  nest(10_000, '[', ']'),
  nest(10_000, '{"a":', '}'),
];

/** Field values no column can take: objects, arrays, non-finite and deeply nested values. */
const BAD_VALUES = ['{"$gt":""}', '[1,2]', '1e400', '-1e400', nest(5_000, '[', ']'), '{"a":{"b":{"c":[]}}}'];

/** Values of the right JSON kind but the wrong meaning for the column: 4xx expected, never 5xx. */
const ODD_VALUES = [
  '18446744073709551616',
  '-18446744073709551616',
  '9007199254740993',
  '1.5',
  '-1',
  '0',
  'true',
  'null',
  '"abc"',
  '"1 OR 1=1"',
  '"not a date"',
  '"2026-02-30"',
  '""',
  '"\\ud800"',
  '"\\u0000"',
  '"😀👍🏽"',
  '"\\u202Egnp.exe"',
  JSON.stringify('x'.repeat(300)),
  JSON.stringify('é'.repeat(70_000)),
];

const TASK_FIELDS = [
  'title',
  'description',
  'project_id',
  'status_id',
  'priority',
  'due_date',
  'position',
  'done',
];

/** The fixed cases, for a resource id that exists (`id`). */
export function fixedCases(id: number): HttpCase[] {
  const cases: HttpCase[] = [];
  const json = { 'content-type': 'application/json' };
  for (const route of AUTH_POSTS) {
    // logout reads no body: a well-formed JSON value that is not an object is simply ignored there.
    for (const body of BROKEN_BODIES)
      cases.push({
        label: `auth/${route} body ${body.slice(0, 20)}`,
        method: 'POST',
        path: `/api/auth/${route}`,
        body,
        token: true,
        expect: route === 'logout' ? 'any' : 'reject',
      });
    cases.push({
      label: `auth/${route} empty body`,
      method: 'POST',
      path: `/api/auth/${route}`,
      body: '',
      headers: json,
      token: true,
      expect: route === 'logout' ? 'any' : 'reject',
    });
    for (const field of ['email', 'password', 'name', 'token'])
      for (const value of [...BAD_VALUES, '123', 'null', '"\\ud800"']) {
        // A lone surrogate is still a non-empty string: a valid name for register, a valid address for forgot.
        const mayPass =
          route === 'password/forgot' || (route === 'register' && field === 'name' && value.startsWith('"'));
        cases.push({
          label: `auth/${route} ${field}=${value.slice(0, 20)}`,
          method: 'POST',
          path: `/api/auth/${route}`,
          body: `{"email":"${route.replace('/', '-')}@example.com","password":"long-enough-1","${field}":${value}}`,
          expect: mayPass ? 'any' : 'reject',
        });
      }
  }
  for (const resource of RESOURCES) {
    for (const [method, path] of [
      ['POST', `/api/${resource}`],
      ['PUT', `/api/${resource}/${id}`],
    ] as const) {
      for (const body of BROKEN_BODIES)
        cases.push({
          label: `${method} ${resource} body ${body.slice(0, 20)}`,
          method,
          path,
          body,
          token: true,
          expect: 'reject',
        });
      cases.push({
        label: `${method} ${resource} empty body`,
        method,
        path,
        body: '',
        headers: json,
        token: true,
        expect: 'reject',
      });
      for (const value of BAD_VALUES)
        cases.push({
          label: `${method} ${resource} name=${value.slice(0, 20)}`,
          method,
          path,
          body: `{"name":${value},"title":${value}}`,
          token: true,
          expect: 'reject',
        });
    }
  }
  for (const field of TASK_FIELDS)
    for (const value of ODD_VALUES)
      for (const [method, path] of [
        ['POST', '/api/tasks'],
        ['PUT', `/api/tasks/${id}`],
      ] as const)
        cases.push({
          label: `${method} tasks ${field}=${value.slice(0, 24)}`,
          method,
          path,
          body: `{"title":"ok","${field}":${value}}`,
          token: true,
          expect: 'any',
        });
  for (const resource of RESOURCES) {
    for (const bad of [
      '0',
      '-1',
      '1.5',
      '1e3',
      '0x10',
      '18446744073709551616',
      '9007199254740993',
      '%00',
      '%E0%A4%A',
      'abc',
      '%F0%9F%92%A5',
      '9'.repeat(5_000),
      '..%2F..%2Fetc%2Fpasswd',
      `${id}%20OR%201=1`,
    ]) {
      for (const method of ['GET', 'PUT', 'DELETE'])
        cases.push({
          label: `${method} ${resource}/${bad.slice(0, 20)}`,
          method,
          path: `/api/${resource}/${bad}`,
          ...(method === 'PUT' ? { body: '{"name":"x"}' } : {}),
          token: true,
          expect: 'reject',
        });
    }
    for (const q of [
      'limit=1e400',
      'limit=18446744073709551616',
      'limit=1&limit=2',
      'offset=-1',
      'offset=99999999999999999999',
      'sort=__proto__',
      'sort=%00',
      'sort=-',
    ])
      cases.push({
        label: `GET ${resource}?${q.slice(0, 30)}`,
        method: 'GET',
        path: `/api/${resource}?${q}`,
        token: true,
        expect: 'reject',
      });
    // Names the list does not declare are ignored (brackets are not parsed into arrays); declared ones are bound.
    for (const q of [
      'limit=',
      'limit[]=1',
      'sort[]=id',
      'project_id[]=1',
      'done=%FF',
      `project_id=${'1'.repeat(2_000)}`,
      'project_id=%F0%9F%92%A5',
      'status_id=1%20OR%201%3D1',
      'unknown=1',
      'done=__proto__',
    ])
      cases.push({
        label: `GET ${resource}?${q}`,
        method: 'GET',
        path: `/api/${resource}?${q}`,
        token: true,
        expect: 'any',
      });
    for (const [method, path] of [
      ['PATCH', `/api/${resource}`],
      ['PUT', `/api/${resource}`],
      ['DELETE', `/api/${resource}`],
      ['POST', `/api/${resource}/${id}`],
      ['PATCH', `/api/${resource}/${id}`],
      ['OPTIONS', `/api/${resource}`],
      ['GET', `/api/${resource}/${id}/extra`],
    ])
      cases.push({ label: `${method} ${path}`, method: method!, path: path!, token: true, expect: 'reject' });
    cases.push({
      label: `GET ${resource} without token`,
      method: 'GET',
      path: `/api/${resource}`,
      expect: 'reject',
    });
    for (const auth of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      `Bearer ${'a'.repeat(8_000)}`,
      'Bearer a.b.c',
      'Bearer ..',
      'bearer x',
    ])
      cases.push({
        label: `GET ${resource} authorization ${auth.slice(0, 20)}`,
        method: 'GET',
        path: `/api/${resource}`,
        headers: { authorization: auth },
        expect: 'reject',
      });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/xml',
      'application/jsonx',
    ])
      cases.push({
        label: `POST ${resource} content-type ${type}`,
        method: 'POST',
        path: `/api/${resource}`,
        headers: { 'content-type': type },
        body: '{"name":"x","title":"x"}',
        token: true,
        expect: 'reject',
      });
    cases.push({
      label: `POST ${resource} gzip-encoded claim`,
      method: 'POST',
      path: `/api/${resource}`,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"name":"x"}',
      token: true,
      expect: 'any',
    });
  }
  for (const [method, path] of [
    ['GET', '/api/auth/login'],
    ['PUT', '/api/auth/me'],
    ['DELETE', '/api/auth/register'],
    ['POST', '/api/auth/nope'],
    ['GET', '/api'],
    ['GET', '/api/'],
    ['POST', '/health'],
    ['DELETE', '/health'],
    ['GET', '/nope'],
    ['GET', '/%'],
    ['GET', `/api/${'x'.repeat(6_000)}`],
  ])
    cases.push({
      label: `${method} ${path!.slice(0, 30)}`,
      method: method!,
      path: path!,
      token: true,
      expect: 'reject',
    });
  cases.push({
    label: 'huge header value',
    method: 'GET',
    path: '/api/tasks',
    headers: { 'x-big': 'x'.repeat(20_000) },
    token: true,
    expect: 'reject',
  });
  cases.push({
    label: 'huge cookie',
    method: 'GET',
    path: '/api/tasks',
    headers: { cookie: `a=${'y'.repeat(40_000)}` },
    token: true,
    expect: 'reject',
  });
  cases.push({
    label: 'unknown host',
    method: 'GET',
    path: '/api/tasks',
    headers: { host: 'evil.example.com' },
    token: true,
    expect: 'reject',
  });
  cases.push({
    label: 'host with a port and upper case',
    method: 'GET',
    path: '/api/nope',
    headers: { host: 'PROKOV.TEST:1234' },
    token: true,
    expect: 'reject',
  });
  return cases;
}

/** Random JSON bodies and paths from the seeded generator. */
export function randomCases(rng: Rng, id: number, count: number): HttpCase[] {
  const routes = [
    ...RESOURCES.flatMap((r) => [
      ['POST', `/api/${r}`],
      ['PUT', `/api/${r}/${id}`],
    ]),
    ...AUTH_POSTS.map((r) => ['POST', `/api/auth/${r}`]),
  ] as Array<[string, string]>;
  const cases: HttpCase[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.bool(0.7)) {
      const [method, path] = rng.pick(routes);
      const value = rng.bool(0.5)
        ? rng.json(3)
        : Object.fromEntries(TASK_FIELDS.filter(() => rng.bool(0.4)).map((f) => [f, rng.json(1)]));
      cases.push({
        label: `random body #${i} ${method} ${path}`,
        method,
        path,
        body: JSON.stringify(value) ?? 'null',
        token: true,
        expect: 'any',
      });
    } else {
      // Byte-wise percent-encoding: encodeURIComponent throws on the lone surrogates the generator makes.
      const segment = [...Buffer.from(rng.string(30), 'utf8')]
        .map((b) =>
          /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
            ? String.fromCharCode(b)
            : `%${b.toString(16).padStart(2, '0')}`,
        )
        .join('');
      const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      cases.push({
        label: `random path #${i} ${method} ${segment.slice(0, 30)}`,
        method,
        path: `/api/${rng.pick([...RESOURCES, 'auth'])}/${segment}`,
        token: true,
        expect: 'any',
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
      });
    }
  }
  return cases;
}

/** Requests only a raw socket can send: broken framing of the HTTP message itself. */
export function rawCases(
  host: string,
  token: string,
): Array<{ label: string; bytes: Buffer | string; expect?: 'any' }> {
  const h = `Host: ${host}\r\nAuthorization: Bearer ${token}\r\n`;
  return [
    { label: 'garbage request line', bytes: 'GARBAGE\r\n\r\n' },
    { label: 'unknown HTTP version', bytes: `GET /api/tasks HTTP/9.9\r\n${h}\r\n` },
    { label: 'header without colon', bytes: `GET /api/tasks HTTP/1.1\r\n${h}NoColonHere\r\n\r\n` },
    { label: 'NUL in the request line', bytes: `GET /api/\u0000tasks HTTP/1.1\r\n${h}\r\n` },
    {
      label: 'raw UTF-8 in a header value',
      bytes: Buffer.from(`GET /api/tasks HTTP/1.1\r\n${h}X-Name: héllo 😀\r\n\r\n`, 'utf8'),
      expect: 'any',
    },
    {
      label: 'bad chunk size',
      bytes: `POST /api/tasks HTTP/1.1\r\n${h}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n`,
    },
    {
      label: 'Content-Length and Transfer-Encoding together',
      bytes: `POST /api/tasks HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    },
    {
      label: 'two Content-Length headers',
      bytes: `POST /api/tasks HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    },
    {
      label: 'negative Content-Length',
      bytes: `POST /api/tasks HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
    },
    { label: 'header line folding', bytes: `GET /api/tasks HTTP/1.1\r\n${h}X-A: 1\r\n  folded\r\n\r\n` },
    { label: 'bare LF line ends', bytes: `GET /api/tasks HTTP/1.1\nHost: ${host}\n\n` },
    {
      label: 'absolute-form URL to another host',
      bytes: `GET http://evil.example.com/api/tasks HTTP/1.1\r\n${h}\r\n`,
    },
  ];
}
