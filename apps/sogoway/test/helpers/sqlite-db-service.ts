// A real sogoms-db protocol server for the gateway's unit tests: the db actions (query, query_one, insert,
// update, delete, transaction, health) over better-sqlite3 in-memory databases, one per app, created from
// clients/prokov.sqlite.sql. Errors carry the registry codes sogoms-db uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  type ActionHandler,
  createProtocolServer,
  ErrorCode,
  type ProtocolServer,
  SogomsError,
} from '@sogoms/protocol';
// The real `describe` of sogoms-db, run on this fake's databases: the gateway checks values as in production.
import { describeTable } from '../../../sogoms-db/src/describe.js';

// better-sqlite3's types are not a dependency of this package: the little used here is typed locally.
export interface SqliteStatement {
  reader: boolean;
  all(...args: unknown[]): Record<string, unknown>[];
  get(...args: unknown[]): Record<string, unknown> | undefined;
  run(...args: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  transaction<T>(fn: () => T): () => T;
  close(): void;
}
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as new (file: string) => SqliteDatabase;

export const SCHEMA_FILE = fileURLToPath(new URL('../../../../clients/prokov.sqlite.sql', import.meta.url));

export interface DbService {
  server: ProtocolServer;
  socketPath: string;
  databases: Map<string, SqliteDatabase>;
  /** Every statement run, for assertions that nothing from a request reached SQL text. */
  statements: { action: string; query: string; args: unknown[]; id: string }[];
  /**
   * MariaDB reports only *changed* rows for UPDATE; SQLite reports matched ones. When set, update answers
   * affected_rows 0 whenever the values were already those stored (checked before running the statement).
   */
  mysqlAffectedRows: boolean;
  /** Makes every action hang (never answer), to test the gateway's timeout. */
  hang: boolean;
  /** Makes `describe` fail as a sogoms-db without it would (UNKNOWN_ACTION). */
  noDescribe: boolean;
  /** Apps whose database health reports as down. */
  down: Set<string>;
  /** The `connections` part of the health answer (MariaDB saturation), when a test sets one. */
  connections?: Record<string, unknown>;
  close(): Promise<void>;
}

function toSqlite(args: unknown): unknown[] {
  if (!Array.isArray(args)) throw new SogomsError(ErrorCode.BAD_REQUEST, 'args must be an array');
  return args.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

function dbError(err: unknown): SogomsError {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new SogomsError(ErrorCode.DB_DUPLICATE, `duplicate entry: ${(err as Error).message}`);
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new SogomsError(ErrorCode.DB_CONSTRAINT, `constraint failed: ${(err as Error).message}`);
  }
  return new SogomsError(ErrorCode.DB_ERROR, `sqlite: ${(err as Error).message}`);
}

export async function startDbService(socketPath: string, apps: string[]): Promise<DbService> {
  const schema = readFileSync(SCHEMA_FILE, 'utf8');
  const databases = new Map<string, SqliteDatabase>();
  for (const app of apps) {
    const db = new Database(':memory:');
    db.exec(schema);
    databases.set(app, db);
  }
  const statements: DbService['statements'] = [];
  const service = {
    mysqlAffectedRows: false,
    hang: false,
    noDescribe: false,
    down: new Set<string>(),
  } as DbService;

  const run = (
    action: string,
    fn: (db: SqliteDatabase, query: string, args: unknown[]) => unknown,
  ): ActionHandler => {
    return (params, ctx) => {
      if (service.hang) return new Promise(() => undefined);
      const db = databases.get(String(params.app_id));
      if (!db) throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app: ${String(params.app_id)}`);
      if (typeof params.query !== 'string')
        throw new SogomsError(ErrorCode.BAD_REQUEST, 'query must be a string');
      const args = toSqlite(params.args ?? []);
      statements.push({ action, query: params.query, args, id: ctx.id });
      try {
        return fn(db, params.query, args);
      } catch (err) {
        throw err instanceof SogomsError ? err : dbError(err);
      }
    };
  };

  const changedRows = (db: SqliteDatabase, query: string, args: unknown[]): number | undefined => {
    // UPDATE `t` SET `a` = ?, `b` = ? WHERE ...: count the rows the WHERE matches whose values differ.
    const m = /^UPDATE (`\w+`) SET (.+?) WHERE (.+)$/s.exec(query);
    if (!m) return undefined;
    const columns = [...m[2]!.matchAll(/`(\w+)` = \?/g)].map((c) => c[1]!);
    const differs = columns.map((c) => `\`${c}\` IS NOT ?`).join(' OR ');
    const count = db
      .prepare(`SELECT COUNT(*) AS n FROM ${m[1]} WHERE (${m[3]}) AND (${differs})`)
      .get(...args.slice(columns.length), ...args.slice(0, columns.length));
    return Number(count?.n ?? 0);
  };

  const handlers: Record<string, ActionHandler> = {
    query: run('query', (db, query, args) => db.prepare(query).all(...args)),
    query_one: run('query_one', (db, query, args) => db.prepare(query).get(...args) ?? null),
    insert: run('insert', (db, query, args) => {
      const r = db.prepare(query).run(...args);
      return { insert_id: Number(r.lastInsertRowid), affected_rows: r.changes };
    }),
    update: run('update', (db, query, args) => {
      const changed = service.mysqlAffectedRows ? changedRows(db, query, args) : undefined;
      const r = db.prepare(query).run(...args);
      return { affected_rows: changed ?? r.changes };
    }),
    delete: run('delete', (db, query, args) => ({ affected_rows: db.prepare(query).run(...args).changes })),
    transaction: (params) => {
      const db = databases.get(String(params.app_id));
      if (!db) throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app: ${String(params.app_id)}`);
      const list = params.statements as { query: string; args?: unknown[] }[];
      try {
        return db.transaction(() => list.map((s) => db.prepare(s.query).run(...toSqlite(s.args ?? []))))();
      } catch (err) {
        throw dbError(err);
      }
    },
    describe: (params) => {
      if (service.hang) return new Promise(() => undefined);
      if (service.noDescribe) throw new SogomsError(ErrorCode.UNKNOWN_ACTION, 'unknown action: describe');
      const db = databases.get(String(params.app_id));
      if (!db) throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app: ${String(params.app_id)}`);
      const run = (query: string, args: readonly unknown[]) => db.prepare(query).all(...args);
      return describeTable({ kind: 'sqlite', run } as unknown as Parameters<typeof describeTable>[0], params);
    },
    // The shape of sogoms-db's answer; `down` marks apps whose database the test wants reported down.
    health: () => ({
      status: 'ok',
      apps: Object.fromEntries(
        [...databases.keys()].map((a) => [
          a,
          { driver: 'sqlite', status: service.down.has(a) ? 'down' : 'ok' },
        ]),
      ),
      ...(service.connections ? { connections: service.connections } : {}),
    }),
  };
  const server = createProtocolServer({ socketPath, handlers });
  await server.listen();
  return Object.assign(service, {
    server,
    socketPath,
    databases,
    statements,
    async close() {
      await server.close(0);
      for (const db of databases.values()) db.close();
    },
  });
}
