// A sogoms-db under test: a temporary config tree, the real service started by the runtime on a temporary
// socket, and a real protocol client talking to it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServiceClient, type ServiceClient, SogomsError } from '@sogoms/protocol';
import { createLogger, type RunningService, startService } from '@sogoms/runtime';
import Database from 'better-sqlite3';
import { MARIADB } from '../../../tests/helpers/mariadb.js';
import { createDbService } from '../src/service.js';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const JWT_SECRET = 'db-test-secret-0123456789abcdef0123456789';
export const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const prokovSchema = (driver: 'mysql' | 'sqlite'): string =>
  readFileSync(join(ROOT, 'clients', driver === 'mysql' ? 'prokov.sql' : 'prokov.sqlite.sql'), 'utf8');

/** A table beside the prokov schema for the types and constraints prokov lacks (CHECK, DECIMAL). */
export const EXTRAS_SCHEMA = {
  mysql: `CREATE TABLE extras (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    qty INT NOT NULL DEFAULT 0 CHECK (qty >= 0),
    amount DECIMAL(10,2) NULL,
    flag TINYINT(1) NOT NULL DEFAULT 0,
    day DATE NULL,
    at DATETIME NULL,
    stamp TIMESTAMP NULL DEFAULT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  sqlite: `CREATE TABLE extras (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    qty INTEGER NOT NULL DEFAULT 0 CHECK (qty >= 0),
    amount NUMERIC NULL,
    flag INTEGER NOT NULL DEFAULT 0,
    day TEXT NULL,
    at TEXT NULL,
    stamp TEXT NULL DEFAULT NULL
  )`,
};

/** The `database:` section of a routes file, as YAML lines. */
export type DatabaseYaml = Record<string, string | number | boolean>;

export function mysqlDatabase(name: string, extra: DatabaseYaml = {}): DatabaseYaml {
  const db: DatabaseYaml = {
    driver: 'mysql',
    host: MARIADB.host,
    port: MARIADB.port,
    user: MARIADB.user,
    name,
  };
  if (MARIADB.password) db['password'] = MARIADB.password;
  return { ...db, ...extra };
}

export function sqliteDatabase(file: string, extra: DatabaseYaml = {}): DatabaseYaml {
  return { driver: 'sqlite', file, ...extra };
}

/** Writes DIR/routes/{app}.yaml for each app (replacing the routes folder). */
export function writeRoutes(configDir: string, apps: Record<string, DatabaseYaml>): void {
  const routes = join(configDir, 'routes');
  rmSync(routes, { recursive: true, force: true });
  mkdirSync(routes, { recursive: true });
  for (const [app, database] of Object.entries(apps)) {
    const lines = Object.entries(database).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
    writeFileSync(
      join(routes, `${app}.yaml`),
      [
        `app: ${app}`,
        `hosts: [${app}.test]`,
        'database:',
        ...lines,
        'auth:',
        `  jwt_secret: ${JSON.stringify(JWT_SECRET)}`,
        '',
      ].join('\n'),
    );
  }
}

export { freePort } from '../../../tests/helpers/platform.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sg-'));
}

/** Creates a SQLite file holding the prokov schema and the extras table. */
export function createSqliteFile(file: string): void {
  const db = new Database(file);
  db.exec(prokovSchema('sqlite'));
  db.exec(EXTRAS_SCHEMA.sqlite);
  db.close();
}

export interface Harness {
  dir: string;
  socket: string;
  client: ServiceClient;
  running: RunningService;
  call<T = unknown>(action: string, params?: Record<string, unknown>): Promise<T>;
  /** The SogomsError a call is rejected with (fails the test when the call succeeds). */
  fail(action: string, params?: Record<string, unknown>): Promise<SogomsError>;
  stop(): Promise<void>;
}

/** Starts sogoms-db as runService would (flags, config, socket, health, reload) on a temp config tree. */
export async function startHarness(dir: string, apps: Record<string, DatabaseYaml>): Promise<Harness> {
  writeRoutes(dir, apps);
  const socket = join(dir, 'sogoms-db.1.sock');
  const running = await startService(
    { name: 'sogoms-db', create: (ctx) => createDbService(ctx) },
    ['-config', dir, '-socket', socket],
    createLogger('sogoms-db', { level: process.env.SOGOMS_TEST_LOG ?? 'silent' }),
  );
  const client = createServiceClient({ sockets: [socket], timeoutMs: 10_000 });
  const call = <T>(action: string, params: Record<string, unknown> = {}) => client.call<T>(action, params);
  return {
    dir,
    socket,
    client,
    running,
    call,
    async fail(action, params = {}) {
      try {
        await call(action, params);
      } catch (err) {
        if (err instanceof SogomsError) return err;
        throw err;
      }
      throw new Error(`${action} succeeded; an error was expected`);
    },
    async stop() {
      client.close();
      await running.stop();
    },
  };
}
