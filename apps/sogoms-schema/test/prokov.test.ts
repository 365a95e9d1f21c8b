// config/schema/prokov.yaml says what clients/prokov.sql and clients/prokov.sqlite.sql create: a database made
// from those files needs no statement, so `npm start` can migrate an existing demo database without change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { FileReport } from '../../../packages/config/src/errors.js';
import { readSchemaFile } from '../../../packages/config/src/schema/read.js';
import { createTestDatabase, MARIADB, mariadbAvailable } from '../../../tests/helpers/mariadb.js';
import { liveTables, type MigrationDb } from '../src/database.js';
import { planMigration } from '../src/migrate.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function prokovSchema() {
  const problems: { message: string }[] = [];
  const schema = readSchemaFile(
    new FileReport(join(ROOT, 'config', 'schema', 'prokov.yaml'), problems as never),
    {},
  );
  expect(problems).toEqual([]);
  return schema!;
}

describe('config/schema/prokov.yaml', () => {
  it('plans nothing for a SQLite database made from clients/prokov.sqlite.sql', async () => {
    const sqlite = new Database(':memory:');
    sqlite.exec(readFileSync(join(ROOT, 'clients', 'prokov.sqlite.sql'), 'utf8'));
    const db: MigrationDb = {
      driver: 'sqlite',
      all: async (sql, args = []) =>
        sqlite.prepare(sql).all(...(args as never[])) as Record<string, unknown>[],
      run: async (sql) => void sqlite.exec(sql),
      close: async () => void sqlite.close(),
    };
    const plan = planMigration('sqlite', prokovSchema(), await liveTables(db), undefined);
    sqlite.close();
    expect(plan).toEqual({ statements: [], refused: [] });
  });

  it('plans nothing for a MariaDB database made from clients/prokov.sql', async () => {
    if (!(await mariadbAvailable())) return;
    const test = await createTestDatabase(readFileSync(join(ROOT, 'clients', 'prokov.sql'), 'utf8'));
    const conn = await mysql.createConnection({ ...MARIADB, database: test.name });
    try {
      const db: MigrationDb = {
        driver: 'mysql',
        all: async (sql, args = []) => (await conn.query(sql, args))[0] as Record<string, unknown>[],
        run: async () => undefined,
        close: async () => undefined,
      };
      expect(planMigration('mysql', prokovSchema(), await liveTables(db), undefined)).toEqual({
        statements: [],
        refused: [],
      });
    } finally {
      await conn.end();
      await test.drop();
    }
  });
});
