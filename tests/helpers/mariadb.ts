// Test databases on the local MariaDB. In CI an unreachable server fails the suite loudly; on a laptop
// without MariaDB the MariaDB tests skip with a clear message.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MARIADB = {
  host: process.env.SOGOMS_TEST_MARIADB_HOST ?? '127.0.0.1',
  port: Number(process.env.SOGOMS_TEST_MARIADB_PORT ?? 3306),
  user: process.env.SOGOMS_TEST_MARIADB_USER ?? 'root',
  password: process.env.SOGOMS_TEST_MARIADB_PASSWORD ?? '',
};

export interface TestDatabase {
  name: string;
  /** Runs statements as root against the test database. */
  exec(sql: string, args?: unknown[]): Promise<unknown>;
  /** Runs a SELECT and returns its rows. */
  rows<T = Record<string, unknown>>(sql: string, args?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

let reachable: boolean | undefined;

/** True when the local MariaDB answers; in CI a failure throws instead of returning false. */
export async function mariadbAvailable(): Promise<boolean> {
  if (reachable !== undefined) return reachable;
  try {
    const conn = await mysql.createConnection({ ...MARIADB, connectTimeout: 3000 });
    await conn.end();
    reachable = true;
  } catch (err) {
    if (process.env.CI)
      throw new Error(`MariaDB unreachable at ${MARIADB.host}:${MARIADB.port} in CI: ${String(err)}`);
    console.warn(
      `MariaDB unreachable at ${MARIADB.host}:${MARIADB.port}: MariaDB tests are skipped (${String(err)})`,
    );
    reachable = false;
  }
  return reachable;
}

/** Where a MariaDB server is reached: the machine's (MARIADB) or a test's own (tests/faults/support). */
export type MariadbServer = typeof MARIADB;

/**
 * Creates a fresh database `sogoms_t_<random>`, optionally loading a schema file's statements into it. Queries
 * go through a one-connection pool, which reconnects if the server restarts under a test.
 */
export async function createTestDatabase(
  schemaSql?: string,
  server: MariadbServer = MARIADB,
): Promise<TestDatabase> {
  const name = `sogoms_t_${randomBytes(5).toString('hex')}`;
  const setup = await mysql.createConnection({ ...server, multipleStatements: true });
  try {
    await setup.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await setup.query(`USE \`${name}\``);
    if (schemaSql) await setup.query(schemaSql);
  } finally {
    await setup.end();
  }
  const admin = mysql.createPool({ ...server, database: name, connectionLimit: 1, multipleStatements: true });
  return {
    name,
    exec: async (sql, args) => (await admin.query(sql, args))[0],
    rows: async <T>(sql: string, args?: unknown[]) => (await admin.query(sql, args))[0] as T[],
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}
