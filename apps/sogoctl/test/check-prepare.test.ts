// `sogoctl check` prepares every query of a valid tree on its app's database (never runs it): a query naming a
// missing column fails the check with its file, section and the database's own message, on both drivers.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  MARIADB,
  mariadbAvailable,
  type TestDatabase,
} from '../../../tests/helpers/mariadb.js';
import { ensureBuilt, ROOT, runSogoctl, Sandbox } from './helpers/sandbox.js';

const hasMariadb = await mariadbAvailable();
const schema = (driver: 'mysql' | 'sqlite'): string =>
  readFileSync(join(ROOT, 'clients', driver === 'mysql' ? 'prokov.sql' : 'prokov.sqlite.sql'), 'utf8');

let box: Sandbox;
let db: TestDatabase | undefined;
beforeAll(ensureBuilt);
beforeEach(() => {
  box = new Sandbox();
});
afterEach(async () => {
  box.cleanup();
  await db?.drop();
  db = undefined;
});

/** The production prokov queries, on a database of `driver` holding the prokov schema. */
async function prokovTree(driver: 'mysql' | 'sqlite'): Promise<void> {
  box.writeConfig({ logs: { fixture: 'health-service' } });
  mkdirSync(join(box.dir, 'secrets'));
  writeFileSync(join(box.dir, 'secrets/jwt'), 'a-long-enough-jwt-secret-for-tests-0123456789\n');
  cpSync(join(ROOT, 'config/queries/prokov'), join(box.dir, 'queries/prokov'), { recursive: true });
  cpSync(join(ROOT, 'config/emails/prokov'), join(box.dir, 'emails/prokov'), { recursive: true });
  let database: string;
  if (driver === 'sqlite') {
    const file = new Database(join(box.dir, 'prokov.db'));
    file.exec(schema('sqlite'));
    file.close();
    database = '{ driver: sqlite, file: prokov.db }';
  } else {
    db = await createTestDatabase(schema('mysql'));
    const pass = MARIADB.password ? `, password: ${JSON.stringify(MARIADB.password)}` : '';
    database = `{ driver: mysql, host: ${MARIADB.host}, port: ${MARIADB.port}, user: ${MARIADB.user}${pass}, name: ${db.name} }`;
  }
  mkdirSync(join(box.dir, 'routes'));
  writeFileSync(
    join(box.dir, 'routes/prokov.yaml'),
    `app: prokov\nhosts: [prokov.localhost]\ndatabase: ${database}\nauth: { jwt_secret_file: secrets/jwt }\n`,
  );
}

function renameColumnInList(): void {
  const file = join(box.dir, 'queries/prokov/tasks.yaml');
  const yaml = readFileSync(file, 'utf8');
  writeFileSync(file, yaml.replace('SELECT id, user_id, project_id', 'SELECT id, user_id, projet_id'));
}

for (const driver of ['sqlite', 'mysql'] as const) {
  describe.skipIf(driver === 'mysql' && !hasMariadb)(`sogoctl check prepares the queries (${driver})`, () => {
    it('accepts the prokov queries on the prokov schema', async () => {
      await prokovTree(driver);
      const r = await runSogoctl(['check', '-config', box.dir]);
      expect(r.stdout).toBe('config OK\n');
      expect(r.code).toBe(0);
    });

    it('bug: a query naming a missing column passed check — now refused with file, section and the database message', async () => {
      await prokovTree(driver);
      renameColumnInList();
      const r = await runSogoctl(['check', '-config', box.dir]);
      expect(r.code).toBe(1);
      const tasks = join(box.dir, 'queries/prokov/tasks.yaml');
      const lines = r.stdout.split('\n').filter((l) => l.startsWith(`${tasks}: list`));
      expect(lines.length).toBeGreaterThan(0);
      // Both role filters' variants and every sort are refused, each naming the column.
      expect(lines).toContainEqual(expect.stringMatching(/: list \(filter default\): database: .*projet_id/));
      expect(lines).toContainEqual(expect.stringMatching(/: list \(filter admin\): database: .*projet_id/));
      expect(r.stdout).not.toContain('config OK');
      expect(r.stderr).toMatch(/problems? in /);
    });
  });
}

describe('sogoctl check without a reachable database', () => {
  it('notes that the queries were not prepared and still passes a valid tree', async () => {
    await prokovTree('sqlite');
    writeFileSync(
      join(box.dir, 'routes/prokov.yaml'),
      'app: prokov\nhosts: [prokov.localhost]\ndatabase: { driver: sqlite, file: missing.db }\nauth: { jwt_secret_file: secrets/jwt }\n',
    );
    const r = await runSogoctl(['check', '-config', box.dir]);
    expect(r.stdout).toMatch(
      /^note: app prokov: queries not prepared, database not reachable: .+\nconfig OK\n$/,
    );
    expect(r.code).toBe(0);
  });
});
