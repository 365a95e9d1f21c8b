// A gateway under test: a temporary config tree (two apps using the real prokov queries and emails), real
// protocol servers for sogoms-db (SQLite in memory), sogoms-logs and sogoms-smtp on temporary sockets, real
// service clients, and an injectable clock. Requests go through fastify's inject().
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import { createServiceClient, type ServiceClient } from '@sogoms/protocol';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildGateway } from '../../src/gateway.js';
import type { GatewayMetrics } from '../../src/metrics/http-metrics.js';
import { type RecordingService, startRecordingService } from './recording-services.js';
import { type DbService, startDbService } from './sqlite-db-service.js';

const CONFIG_SRC = fileURLToPath(new URL('../../../../config', import.meta.url));
export const SECRET = 'prokov-test-secret-0123456789abcdef';
export const OTHER_SECRET = 'other-test-secret-0123456789abcdef';
export const HOST = 'prokov.test';
export const OTHER_HOST = 'other.test';
export const START = Date.UTC(2025, 11, 16, 12, 0, 0);

function routes(app: string, host: string, secret: string, extraAuth: string, proxies = ''): string {
  return `app: ${app}
version: "1.0"
base_path: /api
hosts: [${host}, ${app}.alias.test]
trust_proxy: true
${proxies}
database:
  driver: sqlite
  file: data/${app}.db
auth:
  jwt_secret: ${secret}
  access_ttl: 1h
  bcrypt_cost: 4
${extraAuth}
smtp:
  transport: file
  dir: mail
  from: noreply@${host}
logs:
  retention_days: 1
`;
}

export interface FixtureOptions {
  /** Extra YAML lines under `auth:` of the prokov app (indented two spaces), e.g. rate limits. */
  prokovAuth?: string;
  requestTimeoutMs?: number;
  withoutSmtp?: boolean;
  /** A `trusted_proxies: [...]` line for the prokov app (loopback only without it). */
  prokovProxies?: string;
  logsMaxInFlight?: number;
  /** Extra top-level YAML of routes/prokov.yaml (e.g. a `cors:` section). */
  prokovRoutes?: string;
  /** Given to the gateway as deps.metrics. */
  metrics?: GatewayMetrics;
}

export interface Fixture {
  gateway: FastifyInstance;
  db: DbService;
  logs: RecordingService;
  smtp: RecordingService;
  config: PlatformConfig;
  dir: string;
  /** What the gateway logged (warn and error). */
  logged: { level: string; obj: object | string; msg?: string }[];
  /** The injected clock (ms); tests move it forward. */
  now: number;
  request(opts: RequestOptions): Promise<Response>;
  /** Registers a user and returns its id and token. */
  register(email: string, name?: string, password?: string): Promise<{ id: number; token: string }>;
  /** Runs SQL directly on an app's database (setup and checks). */
  sql(query: string, args?: unknown[], app?: string): Record<string, unknown>[];
  close(): Promise<void>;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
  url: string;
  host?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
  /** The TCP peer's address (inject's remoteAddress; 127.0.0.1 by default). */
  peer?: string;
}

export interface Response {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: {
    success: boolean;
    message?: string;
    data?: unknown;
    meta?: unknown;
    error?: { code: string; message: string; fields?: Record<string, string> };
  };
  raw: string;
}

export const PASSWORD = 'correct-horse-battery';

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gw-'));
  const configDir = join(dir, 'config');
  mkdirSync(join(configDir, 'routes'), { recursive: true });
  mkdirSync(join(configDir, 'queries'), { recursive: true });
  mkdirSync(join(configDir, 'emails'), { recursive: true });
  writeFileSync(
    join(configDir, 'routes', 'prokov.yaml'),
    routes('prokov', HOST, SECRET, options.prokovAuth ?? '', options.prokovProxies) +
      (options.prokovRoutes ?? ''),
  );
  writeFileSync(join(configDir, 'routes', 'other.yaml'), routes('other', OTHER_HOST, OTHER_SECRET, ''));
  for (const app of ['prokov', 'other']) {
    symlinkSync(join(CONFIG_SRC, 'queries', 'prokov'), join(configDir, 'queries', app));
    symlinkSync(join(CONFIG_SRC, 'emails', 'prokov'), join(configDir, 'emails', app));
  }
  const config = loadPlatformConfig(configDir);
  const db = await startDbService(join(dir, 'sogoms-db.1.sock'), ['prokov', 'other']);
  const logs = await startRecordingService(join(dir, 'sogoms-logs.1.sock'), ['log_event', 'log_error']);
  const smtp = await startRecordingService(join(dir, 'sogoms-smtp.1.sock'), ['send_template']);
  const clients: ServiceClient[] = [];
  const client = (service: string) => {
    const c = createServiceClient({ discover: { dir, service } });
    clients.push(c);
    return c;
  };
  const fixture = { db, logs, smtp, config, dir, now: START, logged: [] } as unknown as Fixture;
  const gateway = buildGateway({
    config: () => fixture.config,
    services: {
      db: client('db'),
      logs: client('logs'),
      ...(options.withoutSmtp ? {} : { smtp: client('smtp') }),
    },
    logger: {
      info: () => undefined,
      warn: (obj: object | string, msg?: string) => fixture.logged.push({ level: 'warn', obj, msg }),
      error: (obj: object | string, msg?: string) => fixture.logged.push({ level: 'error', obj, msg }),
    },
    clock: () => fixture.now,
    version: '9.9.9-test',
    requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
    healthTimeoutMs: 500,
    ...(options.logsMaxInFlight ? { logsMaxInFlight: options.logsMaxInFlight } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  await gateway.ready();

  let ipCounter = 0;
  return Object.assign(fixture, {
    gateway,
    async request(opts: RequestOptions): Promise<Response> {
      const headers: Record<string, string> = { host: opts.host ?? HOST, ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      // Distinct client addresses per request unless a test pins one, so per-address limits stay out of the way.
      headers['x-forwarded-for'] ??= opts.ip ?? `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
      let payload: string | undefined;
      if (opts.body !== undefined) {
        payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await gateway.inject({
        method: opts.method ?? 'GET',
        url: opts.url,
        headers,
        payload,
        ...(opts.peer ? { remoteAddress: opts.peer } : {}),
      });
      let body: Response['body'];
      try {
        body = res.body === '' ? ({} as Response['body']) : JSON.parse(res.body);
      } catch {
        throw new Error(`not JSON (${res.statusCode}): ${res.body.slice(0, 200)}`);
      }
      return { status: res.statusCode, headers: res.headers, body, raw: res.body };
    },
    async register(email: string, name = 'User', password = PASSWORD) {
      const res = await fixture.request({
        method: 'POST',
        url: '/api/auth/register',
        body: { email, password, name },
      });
      if (res.status !== 201) throw new Error(`register ${email}: ${res.status} ${res.raw}`);
      const data = res.body.data as { token: string; user: { id: number } };
      return { id: data.user.id, token: data.token };
    },
    sql(query: string, args: unknown[] = [], app = 'prokov') {
      const stmt = db.databases.get(app)!.prepare(query);
      if (stmt.reader) return stmt.all(...args);
      stmt.run(...args);
      return [];
    },
    async close() {
      await gateway.close();
      for (const c of clients) c.close();
      await Promise.all([db.close(), logs.close(), smtp.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
