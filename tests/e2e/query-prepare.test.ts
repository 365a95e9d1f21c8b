// Developer-loop issue, item 3, on real processes started by bin/sogoctl (both drivers): a query edited to name
// a missing column used to be swapped in by the reload and then answer 500 DB_ERROR. The gateway now prepares
// the changed queries on the database first: the edit is refused (file, section and the database's message in
// the log) and the previous query keeps serving; a good edit afterwards is served.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { type Driver, type Platform, startPlatform, waitFor } from '../helpers/platform.js';

const hasMariadb = await mariadbAvailable();

for (const driver of ['sqlite', 'mysql'] as Driver[]) {
  describe.skipIf(driver === 'mysql' && !hasMariadb)(`queries prepared before a reload (${driver})`, () => {
    let p: Platform;
    let token: string;
    let file: string;
    let original: string;

    const list = () => p.request('GET', '/api/statuses', { token });

    beforeAll(async () => {
      p = await startPlatform({ driver, copyQueries: true });
      const res = await p.request('POST', '/api/auth/register', {
        body: { email: 'alice@example.com', password: 'correct-horse', name: 'Alice' },
      });
      token = (res.body.data as { token: string }).token;
      expect(
        (await p.request('POST', '/api/statuses', { token, body: { name: 'Todo', position: 1 } })).status,
      ).toBe(201);
      file = join(p.configDir, 'queries', 'prokov', 'statuses.yaml');
      original = readFileSync(file, 'utf8');
    }, 120_000);

    afterAll(async () => {
      if (p) expect(await p.stop()).toBe(0);
    });

    it('bug: a reloaded query naming a missing column replaced the working one and answered 500 — now refused, the old one serves', async () => {
      writeFileSync(
        file,
        original.replace('SELECT id, user_id, name, color', 'SELECT id, user_id, nam, color'),
      );
      const refusal = await waitFor(
        async () =>
          p
            .sogoctlLog()
            .split('\n')
            .find((l) => l.includes('a query does not prepare on its database')),
        15_000,
        'the gateway to refuse the edit',
      );
      expect(refusal).toContain('statuses.yaml');
      expect(refusal).toContain('list (filter default)');
      expect(refusal).toMatch(/database: .*nam/);
      const res = await list();
      expect(res.status).toBe(200);
      expect((res.body.data as { name: string }[]).map((r) => r.name)).toEqual(['Todo']);
    });

    it('serves the next good edit of the same file', async () => {
      writeFileSync(file, original.replace('SELECT id, ', "SELECT id, 'fixed' AS marker, "));
      await waitFor(
        async () => {
          const res = await list();
          return res.status === 200 && (res.body.data as { marker?: string }[])[0]?.marker === 'fixed';
        },
        15_000,
        'the good edit to be served',
      );
    });
  });
}
