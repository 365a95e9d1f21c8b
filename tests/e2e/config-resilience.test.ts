// Hardening issue, items 10 and 13, on real processes started by bin/sogoctl (SQLite): every save of a config
// file is served whatever the editor (rename-saves included), and a refused edit does not become an outage when a
// service restarts — it serves its last good configuration, and `sogoctl status` says so.
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type Platform, startPlatform, waitFor } from '../helpers/platform.js';

interface Row {
  service: string;
  pid: number | null;
  state: string;
  config?: { state: string } | null;
}

describe('config files on a running platform', () => {
  let p: Platform;
  let token: string;
  let queries: string;
  let original: string;

  const statusRows = async () => (await callOnce(join(p.runDir, 'sogoctl.sock'), 'status')) as Row[];
  const rowOf = async (service: string) => (await statusRows()).find((r) => r.service === service);
  const sogoctlStatus = () =>
    spawnSync(join(BIN, 'sogoctl'), ['status', '-config', p.configDir], { encoding: 'utf8' });
  /** An editor's safe save: a temp file written beside the original, renamed over it. */
  const saveByRename = (file: string, text: string) => {
    const tmp = join(queries, `.${Date.now()}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  };
  const marker = async (): Promise<unknown> => {
    const res = await p.request('GET', '/api/statuses', { token });
    return res.status === 200 ? (res.body.data as Array<Record<string, unknown>>)[0]?.marker : undefined;
  };

  beforeAll(async () => {
    p = await startPlatform({ driver: 'sqlite', copyQueries: true, healthInterval: '500ms' });
    const res = await p.request('POST', '/api/auth/register', {
      body: { email: 'alice@example.com', password: 'correct-horse', name: 'Alice' },
    });
    token = (res.body.data as { token: string }).token;
    expect(
      (await p.request('POST', '/api/statuses', { token, body: { name: 'Todo', position: 1 } })).status,
    ).toBe(201);
    queries = join(p.configDir, 'queries', 'prokov');
    original = readFileSync(join(queries, 'statuses.yaml'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
  });

  it('serves each of 5 rename-saves in a row, then a new query file and its deletion (hot reload died on rename)', async () => {
    const file = join(queries, 'statuses.yaml');
    for (let i = 1; i <= 5; i++) {
      saveByRename(file, original.replace(/SELECT id, /, `SELECT id, 'edit-${i}' AS marker, `));
      await waitFor(async () => (await marker()) === `edit-${i}`, 10_000, `rename-save ${i} to be served`);
    }
    const colors = join(queries, 'colors.yaml');
    expect((await p.request('GET', '/api/colors', { token })).status).toBe(404);
    saveByRename(colors, original);
    await waitFor(
      async () => (await p.request('GET', '/api/colors', { token })).status === 200,
      10_000,
      'the new file to be served',
    );
    unlinkSync(colors);
    await waitFor(
      async () => (await p.request('GET', '/api/colors', { token })).status === 404,
      10_000,
      'the deleted file to be gone',
    );
    saveByRename(file, original);
    await waitFor(async () => (await marker()) === undefined, 10_000, 'the original query to be served');
  });

  it('restarts a killed service on the last good config while the files are invalid, shows it in status, and goes live once fixed', async () => {
    const file = join(queries, 'statuses.yaml');
    writeFileSync(file, original.replace(/SELECT id, /, "SELECT id, 'good' AS marker, "));
    await waitFor(async () => (await marker()) === 'good', 10_000, 'the good edit to be served');
    writeFileSync(file, 'list: [this is: not valid');
    await new Promise((r) => setTimeout(r, 1_000)); // the refused reload happens, the good config stays

    const before = { gateway: await rowOf('sogoway'), db: await rowOf('sogoms-db') };
    process.kill(before.gateway!.pid!, 'SIGKILL');
    process.kill(before.db!.pid!, 'SIGKILL');
    await waitFor(
      async () => {
        const [gw, db] = [await rowOf('sogoway'), await rowOf('sogoms-db')];
        return (
          gw?.pid !== before.gateway!.pid &&
          db?.pid !== before.db!.pid &&
          gw?.config?.state === 'last-good' &&
          // sogoms-db reads routes/ only: a broken query file is none of its business, it starts live.
          db?.config?.state === 'live'
        );
      },
      20_000,
      'the gateway back on its last good configuration, sogoms-db live',
    );
    expect(await marker()).toBe('good');
    const health = await fetch(`${p.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { data: { config: string } }).data.config).toBe('last-good');

    const status = sogoctlStatus();
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/sogoway\s+1\s+\d+\s+healthy\s+(\S+\s+)?LAST-GOOD/);
    expect(status.stdout).toMatch(/sogoms-db\s+1\s+\d+\s+healthy\s+(\S+\s+)?live/);
    expect(status.stdout).toContain('sogoway 1: serving its LAST GOOD configuration');
    expect(status.stdout).toContain(`${file}: YAML syntax error`);
    expect(readFileSync(join(p.logDir, 'sogoctl.log'), 'utf8')).toContain('LAST GOOD');

    writeFileSync(file, original.replace(/SELECT id, /, "SELECT id, 'fixed' AS marker, "));
    await waitFor(async () => (await marker()) === 'fixed', 10_000, 'the fixed file to be served');
    await waitFor(
      async () =>
        (await rowOf('sogoway'))?.config?.state === 'live' &&
        (await rowOf('sogoms-db'))?.config?.state === 'live',
      10_000,
      'status to show the live configuration again',
    );
    expect(sogoctlStatus().stdout).not.toContain('LAST-GOOD');
  });
});
