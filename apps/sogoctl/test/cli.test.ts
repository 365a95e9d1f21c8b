import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, runSogoctl, Sandbox } from './helpers/sandbox.js';

let box: Sandbox;
beforeAll(ensureBuilt);
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

function write(rel: string, text: string): void {
  mkdirSync(join(box.dir, rel, '..'), { recursive: true });
  writeFileSync(join(box.dir, rel), text);
}

/** The smallest tree `check` accepts: sogoctl.yaml plus one SQLite app. */
function validTree(): void {
  box.writeConfig({
    logs: { fixture: 'health-service' },
    db: { fixture: 'health-service', dependsOn: ['logs'] },
  });
  write('secrets/jwt', 'a-long-enough-jwt-secret-for-tests-0123456789\n');
  write(
    'routes/demo.yaml',
    'app: demo\nhosts: [demo.localhost]\ndatabase: { driver: sqlite, file: demo.db }\nauth: { jwt_secret_file: secrets/jwt }\n',
  );
}

describe('sogoctl command line', () => {
  it('prints the version line for --version and Go-style -version', async () => {
    for (const flag of ['--version', '-version']) {
      const r = await runSogoctl([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^sogoctl \d+\.\d+\.\d+\S* \(built .+\)\n$/);
    }
  });

  it('check prints "config OK" for a valid tree', async () => {
    validTree();
    const r = await runSogoctl(['check', '-config', box.dir]);
    expect(r.stderr).toBe('');
    // demo.db does not exist: the queries are not prepared, which check notes (without failing).
    expect(r.stdout).toMatch(
      /^(note: app demo: queries not prepared, database not reachable: .*\n)?config OK\n$/,
    );
    expect(r.code).toBe(0);
  });

  // Hardening issues 7 and 13: a section without filters passed check; a notes.yml was skipped silently.
  it('check refuses a CRUD section without filters, and warns about ignored files such as notes.yml', async () => {
    validTree();
    write('queries/demo/notes.yml', 'list: { query: "SELECT id FROM notes", filters: { default: "" } }\n');
    write('queries/demo/open.yaml', 'list: { query: "SELECT id FROM notes" }\n');
    write('queries/loose.yaml', 'list: { query: "SELECT 1" }\n');
    const r = await runSogoctl(['check', '-config', box.dir]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      `warning: ${join(box.dir, 'queries/demo/notes.yml')}: ignored: only *.yaml files are read (rename it to .yaml)`,
      `warning: ${join(box.dir, 'queries/loose.yaml')}: ignored: files go in queries/{app}/ (one folder per application)`,
      expect.stringMatching(
        new RegExp(
          `^${join(box.dir, 'queries/demo/open.yaml')}: list\\.filters: is required .*filters: \\{ default: "" \\}`,
        ),
      ),
    ]);

    write('queries/demo/open.yaml', 'list: { query: "SELECT id FROM notes", filters: { default: "" } }\n');
    const ok = await runSogoctl(['check', '-config', box.dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('warning: ');
    expect(ok.stdout).toContain('config OK');
  });

  it('check lists every problem of a broken tree, as file: path: message, and exits 1', async () => {
    validTree();
    write(
      'sogoctl.yaml',
      'supervisor: { health_interval: soon }\nservices:\n  a: { binary: x, depends_on: [b] }\n  b: { binary: y, depends_on: [a, ghost] }\n',
    );
    write('routes/demo.yaml', 'app: demo\nhosts: [demo.localhost]\ndatabase: { driver: oracle }\n');
    const r = await runSogoctl(['check', '-config', box.dir]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const sogoctl = join(box.dir, 'sogoctl.yaml');
    const routes = join(box.dir, 'routes', 'demo.yaml');
    expect(lines).toContainEqual(expect.stringMatching(`^${sogoctl}: supervisor.health_interval: `));
    expect(lines).toContainEqual(`${sogoctl}: services.b.depends_on[1]: unknown service "ghost"`);
    expect(lines).toContainEqual(
      expect.stringMatching(`^${sogoctl}: services.a.depends_on: dependency cycle: a → b → a`),
    );
    expect(lines).toContainEqual(expect.stringMatching(`^${routes}: database.driver: `));
    expect(lines).toContainEqual(expect.stringMatching(`^${routes}: auth`));
    expect(r.stderr).toContain(`${lines.length} problems`);
  });

  it('refuses to run a config with a dependency cycle: exit 2, the services named, nothing started', async () => {
    box.writeConfig({
      free: { fixture: 'health-service' },
      a: { fixture: 'health-service', dependsOn: ['b'] },
      b: { fixture: 'health-service', dependsOn: ['a'] },
    });
    const run = box.start();
    expect((await run.exited).code).toBe(2);
    expect(run.stderr).toContain('dependency cycle: a → b → a');
    expect(box.records()).toEqual([]);
  });

  it('refuses to run without -config (usage error, exit 2)', async () => {
    const r = await runSogoctl([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--config');
  });

  it('status and restart say so and exit 1 when no supervisor answers', async () => {
    box.writeConfig({ logs: { fixture: 'health-service' } });
    const status = await runSogoctl(['status', '-config', box.dir]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`no supervisor answers on ${box.controlSocket}`);
    const restart = await runSogoctl(['restart', 'logs', '--config', box.dir]);
    expect(restart.code).toBe(1);
    expect(restart.stderr).toContain(`no supervisor answers on ${box.controlSocket}`);
  });
});
