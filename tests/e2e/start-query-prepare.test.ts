// Developer-loop issue, item 3, as a developer sees it: `pnpm start` (scripts/start.mjs, a child process) on a
// copy of the development config. A query naming a missing column is named in the terminal at start (file,
// section, the database's message), and the same mistake made while running is refused there too.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { freePort, ROOT, waitFor } from '../helpers/platform.js';

describe('pnpm start shows queries that do not prepare', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let queries: string;

  beforeAll(async () => {
    ensureBuilt('sogoway');
    dir = mkdtempSync(join(tmpdir(), 'sg-'));
    // The development config with its linked folders copied, so that the test may edit the queries.
    cpSync(join(ROOT, 'config', 'dev'), join(dir, 'config'), { recursive: true, dereference: true });
    queries = join(dir, 'config', 'queries', 'prokov');
    const tasks = join(queries, 'tasks.yaml');
    writeFileSync(
      tasks,
      readFileSync(tasks, 'utf8').replace('SELECT id, user_id, project_id', 'SELECT id, user_id, projet_id'),
    );
    child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        SOGOMS_CONFIG: join(dir, 'config'),
        SOGOMS_VAR: join(dir, 'var'),
        SOGOMS_PORT: String(await freePort()),
        SOGOMS_SKIP_BUILD: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('bug: a query naming a missing column started silently and answered 500 — the terminal now names it at start', async () => {
    await waitFor(async () => output.includes('projet_id'), 40_000, `the start-up report in:\n${output}`);
    const lines = output.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/queries that do not prepare on their database/));
    expect(lines).toContainEqual(
      expect.stringMatching(/queries\/prokov\/tasks\.yaml: list \(filter default\): database: .*projet_id/),
    );
  });

  it('a query edited while running to name a missing column is refused in the terminal', async () => {
    await waitFor(
      async () => output.includes('SOGOMS is up'),
      40_000,
      `the platform to be up in:\n${output}`,
    );
    const statuses = join(queries, 'statuses.yaml');
    writeFileSync(
      statuses,
      readFileSync(statuses, 'utf8').replace(
        'SELECT id, user_id, name, color',
        'SELECT id, user_id, nam, color',
      ),
    );
    await waitFor(async () => /statuses\.yaml: list.*nam/.test(output), 20_000, `the refusal in:\n${output}`);
    expect(output).toMatch(/config change refused/);
  });
});
