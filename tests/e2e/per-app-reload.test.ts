// Many tenants, item 3, on real processes started by bin/sogoctl (MariaDB): an edit in one app reloads that app
// only, and only in the services that read the edited folder. Two apps, prokov and `other`, each on its own
// database. A query edit of prokov is served; sogoms-db, sogoms-logs and sogoms-smtp do not reload at all; the
// gateway reloads prokov alone. A routes edit of prokov reloads it in sogoms-db, whose pool of `other` keeps its
// very MariaDB connections; `other`'s token still works.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, mariadbAvailable, type TestDatabase } from '../helpers/mariadb.js';
import { type Platform, ROOT, startPlatform, waitFor } from '../helpers/platform.js';

const hasMariadb = await mariadbAvailable();
const OTHER_HOST = 'other.test';

interface LogRecord {
  service?: string;
  msg?: string;
  line?: { reloaded?: string[]; apps?: number };
}

describe.runIf(hasMariadb)('an edit in one app of two (MariaDB)', () => {
  let p: Platform;
  let otherDb: TestDatabase;
  let prokovToken: string;
  let otherToken: string;

  /** The reload lines each service wrote to the supervisor's log. */
  const reloads = (): LogRecord[] =>
    p
      .sogoctlLog()
      .split('\n')
      .filter((l) => l.includes('configuration reloaded'))
      .map((l) => JSON.parse(l) as LogRecord);
  /** MariaDB thread ids of sogoms-db's connections open on `other`'s database (not the test's own). */
  const otherConnections = async (): Promise<number[]> =>
    (
      await otherDb.rows(
        'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() ORDER BY ID',
        [otherDb.name],
      )
    ).map((r) => Number(r.id));
  const login = async (host: string, email: string): Promise<string> => {
    const body = { email, password: 'correct-horse', name: 'Someone' };
    const res = await p.request('POST', '/api/auth/register', { host, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return (res.body.data as { token: string }).token;
  };

  beforeAll(async () => {
    otherDb = await createTestDatabase(readFileSync(join(ROOT, 'clients', 'prokov.sql'), 'utf8'));
    p = await startPlatform({
      driver: 'mysql',
      copyQueries: true,
      // Routine reloads are logged at info (the gateway's default level, set here so the test does not depend on it).
      gatewayArgs: ['-log-level', 'info'],
      beforeStart: (dir) => {
        const config = join(dir, 'config');
        // A second app: its own routes file, database, queries and templates (emails/ copied, not linked).
        cpSync(join(config, 'queries', 'prokov'), join(config, 'queries', 'other'), { recursive: true });
        rmSync(join(config, 'emails'));
        cpSync(join(ROOT, 'config', 'emails'), join(config, 'emails'), { recursive: true });
        cpSync(join(config, 'emails', 'prokov'), join(config, 'emails', 'other'), { recursive: true });
        const prokov = readFileSync(join(config, 'routes', 'prokov.yaml'), 'utf8');
        return {
          file: join(config, 'routes', 'other.yaml'),
          content: prokov
            .replace('app: prokov', 'app: other')
            .replace(/hosts: .*/, `hosts: [${OTHER_HOST}]`)
            .replace(/name: sogoms_t_\w+/, `name: ${otherDb.name}`),
        };
      },
    });
    prokovToken = await login('prokov.test', 'alice@example.com');
    otherToken = await login(OTHER_HOST, 'bob@example.com');
    for (const [host, token] of [
      ['prokov.test', prokovToken],
      [OTHER_HOST, otherToken],
    ] as const) {
      const res = await p.request('POST', '/api/projects', { host, token, body: { name: 'P' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
    await otherDb?.drop();
  });

  it('a query edit of one app reloads it in the gateway only: no other service reloads, the other app is untouched', async () => {
    const file = join(p.configDir, 'queries', 'prokov', 'projects.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/SELECT id, user_id,/g, "SELECT id, 'edited' AS marker, user_id,"),
    );
    const marker = async (host: string, token: string) =>
      ((await p.request('GET', '/api/projects', { host, token })).body.data as { marker?: string }[])[0]
        ?.marker;
    await waitFor(async () => (await marker('prokov.test', prokovToken)) === 'edited', 10_000, 'the edit');
    // Past the 2 s poll of every service: a service that were to reload would have by now.
    await new Promise((r) => setTimeout(r, 2_500));
    const lines = reloads();
    expect(lines.map((l) => l.service)).toEqual(['sogoway']);
    expect(lines[0]!.line).toMatchObject({ reloaded: ['prokov'], apps: 2 });
    expect(await marker(OTHER_HOST, otherToken)).toBeUndefined();
  });

  it("a routes edit of one app reloads it in sogoms-db; the other app's pool keeps its MariaDB connections", async () => {
    const before = await otherConnections();
    expect(before.length).toBeGreaterThan(0);
    const file = join(p.configDir, 'routes', 'prokov.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: "test"', 'version: "test-2"'));
    await waitFor(
      async () => reloads().some((l) => l.service === 'sogoms-db'),
      10_000,
      'sogoms-db to reload',
    );
    const db = reloads().find((l) => l.service === 'sogoms-db')!;
    expect(db.line).toMatchObject({ reloaded: ['prokov'], apps: 2 });
    for (const l of reloads()) expect(l.line?.reloaded).toEqual(['prokov']);
    // `other` still answers with the token it had, on the very connections it had.
    const res = await p.request('GET', '/api/projects', { host: OTHER_HOST, token: otherToken });
    expect(res.status).toBe(200);
    expect((res.body.data as unknown[]).length).toBe(1);
    const after = await otherConnections();
    expect(after.filter((id) => before.includes(id)).length).toBeGreaterThan(0);
    expect(after.every((id) => before.includes(id))).toBe(true);
  });
});
