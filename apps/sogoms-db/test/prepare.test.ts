// The `prepare` action: a query naming a missing column is refused with the database's message, on both
// drivers, and nothing is executed (an INSERT prepared leaves the table empty).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, mariadbAvailable, type TestDatabase } from '../../../tests/helpers/mariadb.js';
import {
  createSqliteFile,
  EXTRAS_SCHEMA,
  type Harness,
  mysqlDatabase,
  prokovSchema,
  sqliteDatabase,
  startHarness,
  tempDir,
} from './helpers.js';

type Prepared = { problems: { index: number; message: string }[] };

const hasMariadb = await mariadbAvailable();

const STATEMENTS = [
  { query: 'SELECT id, title FROM tasks WHERE user_id = ? LIMIT ? OFFSET ?' },
  { query: 'SELECT id, no_such_column FROM tasks WHERE user_id = ?' },
  { query: 'INSERT INTO extras (qty, flag) VALUES (?, ?)' },
  { query: 'SELECT * FROM no_such_table' },
];

for (const driver of ['sqlite', 'mysql'] as const) {
  describe.skipIf(driver === 'mysql' && !hasMariadb)(`sogoms-db prepare (${driver})`, () => {
    let dir: string;
    let h: Harness;
    let db: TestDatabase | undefined;
    beforeAll(async () => {
      dir = tempDir();
      if (driver === 'sqlite') {
        createSqliteFile(join(dir, 'p.db'));
        h = await startHarness(dir, { p: sqliteDatabase(join(dir, 'p.db')) });
      } else {
        db = await createTestDatabase(prokovSchema('mysql'));
        await db.exec(EXTRAS_SCHEMA.mysql);
        h = await startHarness(dir, { p: mysqlDatabase(db.name) });
      }
    });
    afterAll(async () => {
      await h?.stop();
      await db?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('bug: a query naming a missing column or table prepared fine until it ran — now refused with the database message', async () => {
      const out = await h.call<Prepared>('prepare', { app_id: 'p', statements: STATEMENTS });
      expect(out.problems.map((p) => p.index)).toEqual([1, 3]);
      expect(out.problems[0]!.message).toMatch(/no_such_column/);
      expect(out.problems[1]!.message).toMatch(/no_such_table/);
    });

    it('prepares without executing: an INSERT prepared writes no row', async () => {
      await h.call<Prepared>('prepare', { app_id: 'p', statements: [STATEMENTS[2]] });
      const rows = await h.call<{ n: number }[]>('query', {
        app_id: 'p',
        query: 'SELECT COUNT(*) AS n FROM extras',
      });
      expect(rows[0]!.n).toBe(0);
    });

    it('refuses more than one statement in a prepared text (BAD_REQUEST)', async () => {
      const err = await h.fail('prepare', {
        app_id: 'p',
        statements: [{ query: 'SELECT 1; DELETE FROM tasks' }],
      });
      expect(err.code).toBe('BAD_REQUEST');
    });
  });
}
