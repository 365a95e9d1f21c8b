// Starts the whole platform as a user would: bin/sogoctl with a temporary config tree that links the real
// config/queries and config/emails, on MariaDB or on a SQLite file, and talks HTTP to it with a Host header.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createTestDatabase, MARIADB, type MariadbServer, type TestDatabase } from './mariadb.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin');
export const HOST = 'prokov.test';
export const JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export type Driver = 'mysql' | 'sqlite';

export interface PlatformOptions {
  driver: Driver;
  /** Extra YAML appended to routes/prokov.yaml (e.g. an smtp section). */
  routesExtra?: string;
  /** Replaces the default auth rate limits (tests register many users from one address). */
  rateLimit?: string;
  dbInstances?: number;
  /** Called with the temp folder before sogoctl starts; may return a file to write (e.g. a secret). */
  beforeStart?: (dir: string) => { file: string; content: string } | undefined;
  /** Folder holding the binaries (default: the repository's bin/). */
  binDir?: string;
  /** Copy config/queries instead of linking it, so a test may edit the queries (hot reload). */
  copyQueries?: boolean;
  healthInterval?: string;
  /** The MariaDB server of the mysql driver (default: the machine's). */
  mariadb?: MariadbServer;
  /** Replaces the token lifetime line under `auth:` (default `  access_ttl: 1h`), e.g. seed mode. */
  authLifetime?: string;
  /** Gateways started by sogoctl (default 1): a second one is service sogoway-2 on its own port. */
  gateways?: number;
  /** A folder linked as config/cron (e.g. the repository's config/cron): sogoms-cron is started too. */
  cronDir?: string;
  /** Start sogoms-push too (the app's `push:` section goes in routesExtra). */
  push?: boolean;
  /** Extra lines under `supervisor:` of sogoctl.yaml (indented two spaces), e.g. metrics_listen. */
  supervisorExtra?: string;
  /** Extra arguments of the (first) gateway, e.g. ["-metrics-port", "9464"]. */
  gatewayArgs?: readonly string[];
}

export interface Platform {
  dir: string;
  runDir: string;
  logDir: string;
  configDir: string;
  port: number;
  /** Every gateway's port (ports[0] === port). */
  ports: number[];
  url: string;
  db?: TestDatabase;
  sqliteFile?: string;
  sogoctl: ChildProcess;
  /** HTTP request to the gateway with the app's Host header; JSON in, JSON out. */
  request(method: string, path: string, options?: RequestOptions): Promise<HttpResult>;
  /** Rows from the app's database, whichever the driver. */
  rows(sql: string, args?: unknown[]): Promise<Record<string, unknown>[]>;
  sogoctlLog(): string;
  /** SIGTERM to sogoctl; resolves with its exit code once it is gone. */
  stop(): Promise<number | null>;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  host?: string;
  headers?: Record<string, string>;
  rawBody?: string | Buffer;
  /** Which gateway answers (index in ports, default 0). */
  gateway?: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: {
    success: boolean;
    message?: string;
    data?: unknown;
    meta?: unknown;
    error?: { code: string; message: string };
  } & Record<string, unknown>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const DEFAULT_RATE_LIMIT = `
  rate_limit:
    login_per_ip: 100000
    register_per_ip: 100000`;

/** Writes the config tree and starts sogoctl; resolves once GET /health answers 200. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'sgp-'));
  const configDir = join(dir, 'config');
  const runDir = join(dir, 'run');
  const logDir = join(dir, 'log');
  for (const sub of [
    configDir,
    join(configDir, 'routes'),
    runDir,
    logDir,
    join(dir, 'secrets'),
    join(dir, 'mail'),
  ])
    mkdirSync(sub, { recursive: true });
  if (options.copyQueries)
    cpSync(join(ROOT, 'config', 'queries'), join(configDir, 'queries'), { recursive: true });
  else symlinkSync(join(ROOT, 'config', 'queries'), join(configDir, 'queries'));
  symlinkSync(join(ROOT, 'config', 'emails'), join(configDir, 'emails'));
  if (options.cronDir) symlinkSync(options.cronDir, join(configDir, 'cron'));
  writeFileSync(join(dir, 'secrets', 'jwt'), `${JWT_SECRET}\n`);

  let db: TestDatabase | undefined;
  let sqliteFile: string | undefined;
  let database: string;
  if (options.driver === 'mysql') {
    const server = options.mariadb ?? MARIADB;
    db = await createTestDatabase(readFileSync(join(ROOT, 'clients', 'prokov.sql'), 'utf8'), server);
    writeFileSync(join(dir, 'secrets', 'db'), `${server.password}\n`);
    database = `database:
  driver: mysql
  host: ${server.host}
  port: ${server.port}
  user: ${server.user}
  password_file: ../secrets/db
  name: ${db.name}
  query_timeout: 3s`;
  } else {
    sqliteFile = join(dir, 'prokov.db');
    const sqlite = new Database(sqliteFile);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec(readFileSync(join(ROOT, 'clients', 'prokov.sqlite.sql'), 'utf8'));
    sqlite.close();
    database = `database:
  driver: sqlite
  file: ../prokov.db`;
  }
  writeFileSync(
    join(configDir, 'routes', 'prokov.yaml'),
    `app: prokov
version: "test"
hosts: [${HOST}, localhost]
${database}
auth:
  jwt_secret_file: ../secrets/jwt
${options.authLifetime ?? '  access_ttl: 1h'}
  bcrypt_cost: 4
${options.rateLimit ?? DEFAULT_RATE_LIMIT}
${
  options.routesExtra ??
  `smtp:
  transport: file
  dir: ../mail
  from: noreply@prokov.test`
}
`,
  );

  const port = await freePort();
  const ports = [port];
  for (let i = 1; i < (options.gateways ?? 1); i++) ports.push(await freePort());
  const n = options.dbInstances ?? 1;
  const bin = options.binDir ?? BIN;
  writeFileSync(
    join(configDir, 'sogoctl.yaml'),
    `supervisor:
  health_interval: ${options.healthInterval ?? '1s'}
  restart_delay: 200ms
  max_restarts: 20
  stop_timeout: 5s
  log_file: ${join(logDir, 'sogoctl.log')}
  control_socket: ${join(runDir, 'sogoctl.sock')}
${options.supervisorExtra ?? ''}
services:
  sogoms-logs:
    binary: ${join(bin, 'sogoms-logs')}
    args: ["-config", "${configDir}", "-socket", "${runDir}/sogoms-logs.1.sock", "-logdir", "${logDir}"]
    health_socket: ${runDir}/sogoms-logs.1.sock
  sogoms-db:
    binary: ${join(bin, 'sogoms-db')}
    args: ["-config", "${configDir}", "-socket", "${runDir}/sogoms-db.{n}.sock"]
    health_socket: ${runDir}/sogoms-db.{n}.sock
    instances: ${n}
    depends_on: [sogoms-logs]
  sogoms-smtp:
    binary: ${join(bin, 'sogoms-smtp')}
    args: ["-config", "${configDir}", "-socket", "${runDir}/sogoms-smtp.1.sock"]
    health_socket: ${runDir}/sogoms-smtp.1.sock
    depends_on: [sogoms-logs]
  sogoway:
    binary: ${join(bin, 'sogoway')}
    args: ["-config", "${configDir}", "-port", "${port}", "-host", "127.0.0.1", "-rundir", "${runDir}"${(options.gatewayArgs ?? []).map((a) => `, ${JSON.stringify(a)}`).join('')}]
    health_url: http://127.0.0.1:${port}/health
    depends_on: [sogoms-db, sogoms-logs]
${ports
  .slice(1)
  .map(
    (other, i) => `  sogoway-${i + 2}:
    binary: ${join(bin, 'sogoway')}
    args: ["-config", "${configDir}", "-port", "${other}", "-host", "127.0.0.1", "-rundir", "${runDir}"]
    health_url: http://127.0.0.1:${other}/health
    depends_on: [sogoms-db, sogoms-logs]
`,
  )
  .join('')}${
  options.cronDir
    ? `  sogoms-cron:
    binary: ${join(bin, 'sogoms-cron')}
    args: ["-config", "${configDir}", "-socket", "${runDir}/sogoms-cron.1.sock", "-rundir", "${runDir}"]
    health_socket: ${runDir}/sogoms-cron.1.sock
    depends_on: [sogoms-db, sogoms-logs, sogoms-smtp]
`
    : ''
}${
  options.push
    ? `  sogoms-push:
    binary: ${join(bin, 'sogoms-push')}
    args: ["-config", "${configDir}", "-socket", "${runDir}/sogoms-push.1.sock"]
    health_socket: ${runDir}/sogoms-push.1.sock
    depends_on: [sogoms-logs]
`
    : ''
}`,
  );

  const extra = options.beforeStart?.(dir);
  if (extra) writeFileSync(extra.file, extra.content, { mode: 0o600 });
  const sogoctl = spawn(join(bin, 'sogoctl'), ['-config', configDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  sogoctl.stdout?.on('data', (d) => {
    output += d;
  });
  sogoctl.stderr?.on('data', (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  let exited: number | null | undefined;
  const exitPromise = new Promise<number | null>((r) =>
    sogoctl.once('exit', (code) => {
      exited = code;
      r(code);
    }),
  );
  try {
    await waitFor(
      async () => {
        if (exited !== undefined) throw new Error(`sogoctl exited (${exited}): ${output}`);
        for (const each of ports) if (!(await fetch(`http://127.0.0.1:${each}/health`)).ok) return false;
        return true;
      },
      30_000,
      'platform health',
    );
  } catch (err) {
    sogoctl.kill('SIGTERM');
    await exitPromise;
    throw new Error(`platform did not become healthy: ${String(err)}\n${output}\n${readLog(logDir)}`);
  }

  let sqliteReader: Database.Database | undefined;
  return {
    dir,
    runDir,
    logDir,
    configDir,
    port,
    ports,
    url,
    db,
    sqliteFile,
    sogoctl,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { host: opts.host ?? HOST, ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | Buffer | undefined;
      if (opts.rawBody !== undefined) body = opts.rawBody;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      // fetch refuses to set Host; node:http is used underneath through this small wrapper.
      const base = opts.gateway ? `http://127.0.0.1:${ports[opts.gateway]}` : url;
      return httpRequest(`${base}${path}`, method, headers, body);
    },
    async rows(sql, args = []) {
      if (db) return db.rows(sql, args);
      sqliteReader ??= new Database(sqliteFile!, { readonly: true });
      return sqliteReader.prepare(sql).all(...(args as never[])) as Record<string, unknown>[];
    },
    sogoctlLog: () => readLog(logDir),
    async stop() {
      if (exited === undefined) sogoctl.kill('SIGTERM');
      const code = await exitPromise;
      sqliteReader?.close();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

function readLog(logDir: string): string {
  try {
    return readFileSync(join(logDir, 'sogoctl.log'), 'utf8');
  } catch {
    return '';
  }
}

/** A minimal HTTP client that lets the test set the Host header (fetch forbids it). */
export async function httpRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<HttpResult> {
  const { request } = await import('node:http');
  return new Promise((resolveResult, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: HttpResult['body'];
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { success: false, error: { code: 'NOT_JSON', message: text.slice(0, 200) } };
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolveResult({ status: res.statusCode ?? 0, headers: h, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('HTTP request timed out')));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
