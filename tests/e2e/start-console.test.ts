// Issue "the developer's loop": what `npm start` (scripts/start.mjs) shows in the terminal when something goes
// wrong — a broken YAML at start, a busy port, a refused reload — and that fixing the YAML brings the FATAL
// services back without any command. Each run uses a private copy of config/dev, its own var folder and port
// (SOGOMS_CONFIG, SOGOMS_VAR, SOGOMS_PORT), and the bin/ already built (SOGOMS_SKIP_BUILD=1).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, freePort, ROOT, waitFor } from '../helpers/platform.js';

interface Started {
  child: ChildProcess;
  output: () => string;
  env: NodeJS.ProcessEnv;
  dir: string;
  config: string;
  port: number;
}

const runs: Started[] = [];
const dirs: string[] = [];

/** A private copy of config/dev (links followed) whose crash loops reach FATAL in a second, not in 30. */
function privateConfig(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sg-dev-'));
  dirs.push(dir);
  const config = join(dir, 'config');
  cpSync(join(ROOT, 'config', 'dev'), config, { recursive: true, dereference: true });
  const yaml = join(config, 'sogoctl.yaml');
  writeFileSync(
    yaml,
    readFileSync(yaml, 'utf8')
      .replace('restart_delay: 1s', 'restart_delay: 100ms')
      .replace('max_restarts: 5', 'max_restarts: 2'),
  );
  return { dir, config };
}

/** `node scripts/start.mjs`, as `npm start` runs it, in its own process group like a terminal's job. */
async function start(
  setup: { dir: string; config: string },
  port?: number,
  waitSeconds = 90,
): Promise<Started> {
  const p = port ?? (await freePort());
  const env = {
    ...process.env,
    SOGOMS_CONFIG: setup.config,
    SOGOMS_VAR: join(setup.dir, 'var'),
    SOGOMS_PORT: String(p),
    SOGOMS_SKIP_BUILD: '1',
    SOGOMS_START_WAIT: String(waitSeconds),
  };
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const run = { child, output: () => output, env, port: p, ...setup };
  runs.push(run);
  return run;
}

/** Waits until the terminal shows `text`; fails with what it showed. */
async function shows(run: Started, text: string | RegExp, ms = 60_000): Promise<void> {
  const has = () => (typeof text === 'string' ? run.output().includes(text) : text.test(run.output()));
  await waitFor(async () => has(), ms, `the terminal to show ${String(text)}`).catch((err) => {
    throw new Error(`${String(err)}\n--- terminal ---\n${run.output()}`);
  });
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/** Ctrl-C, then wait for the ordered stop. */
async function ctrlC(run: Started): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  const exited = new Promise((r) => run.child.once('exit', r));
  try {
    process.kill(-run.child.pid!, 'SIGINT');
  } catch {}
  await exited;
}

afterEach(async () => {
  for (const run of runs.splice(0)) await ctrlC(run);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('npm start says why, in the terminal', () => {
  it('a YAML syntax error at start: the problem once, against projects.yaml only; fixing the file brings the FATAL services back with no command', async () => {
    const setup = privateConfig();
    const projects = join(setup.config, 'queries', 'prokov', 'projects.yaml');
    const good = readFileSync(projects, 'utf8');
    appendFileSync(projects, 'list: [unclosed\n');
    const run = await start(setup);

    await shows(run, 'FATAL');
    await shows(run, 'then bin/sogoctl restart NAME');
    const out = run.output();
    // The problem as `sogoctl check` prints it (file: reason), once — and nothing blamed on auth.yaml.
    expect(count(out, 'projects.yaml: YAML syntax error at line')).toBe(1);
    expect(out).not.toContain('auth.yaml');
    expect(out).toContain('fix the config files: it starts again as soon as they change');
    // The wait ends with what is not healthy and why, not with silence.
    // (Which service fails first depends on which part of the tree each loads: any one of them.)
    expect(out).toMatch(/\[start\] {3}[a-z-]+ 1: FATAL — invalid configuration \(1 problem\)/);
    expect(out).not.toContain('{"ts"'); // human lines, not the JSON log

    writeFileSync(projects, good);
    await shows(run, 'SOGOMS is up');
    expect(run.output()).toContain('the config files changed: starting again');
    expect((await fetch(`http://127.0.0.1:${run.port}/health`)).status).toBe(200);
  }, 120_000);

  it('a wrong value at start: file, key path and reason as sogoctl check prints them, once', async () => {
    const setup = privateConfig();
    const routes = join(setup.config, 'routes', 'prokov.yaml');
    writeFileSync(routes, readFileSync(routes, 'utf8').replace('driver: sqlite', 'driver: oracle'));
    const run = await start(setup);
    // The migration step reads the routes first: it refuses them, and the start ends there, saying why.
    const code = await new Promise<number | null>((r) => run.child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    const out = run.output();
    const problem =
      /routes\/prokov\.yaml: database\.driver: expected one of: mysql, sqlite \(got "oracle"\)$/gm;
    expect(out.match(problem), out).toHaveLength(1);
    expect(out).not.toContain('{"ts"');
    expect(out).not.toContain('starting sogoctl');
  }, 120_000);

  it('a busy port: "port N is in use" from the gateway, said once, not a bare "exited (code 1)" per restart', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const run = await start(privateConfig(), port);
      await shows(run, 'then bin/sogoctl restart NAME');
      const out = run.output();
      expect(out).toContain(`sogoway 1 exited (code 1): port ${port} is in use (127.0.0.1:${port})`);
      // Never a bare exit code; the same reason is not repeated for each restart.
      expect(out, out).not.toMatch(/exited \(code \d+\)$/m);
      expect(count(out, 'sogoway 1 exited (code 1): port'), out).toBeLessThanOrEqual(2);
      expect(out, out).toMatch(new RegExp(`sogoway 1 FATAL, stays down: port ${port} is in use`));
      expect(out).toContain('fix the cause, then run: sogoctl restart sogoway');
      expect(out, out).toMatch(new RegExp(`\\[start\\] {3}sogoway 1: FATAL — port ${port} is in use`));
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('a refused reload: one line per problem, once for all the services; a second npm start says "already running (pid N)"', async () => {
    const setup = privateConfig();
    const run = await start(setup);
    await shows(run, 'SOGOMS is up');

    const second = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      env: run.env,
      encoding: 'utf8',
    });
    expect(second.status).toBe(1);
    expect(second.stdout).toContain(`[start] already running (pid `);

    // sogoctl status from the same config: version, gateway address; --json for scripts.
    const table = spawnSync(join(BIN, 'sogoctl'), ['status'], {
      cwd: ROOT,
      env: run.env,
      encoding: 'utf8',
    });
    expect(table.stdout).toMatch(/^SERVICE\s+INSTANCE\s+PID\s+STATE\s+VERSION/);
    expect(table.stdout).toContain(`http://127.0.0.1:${run.port}`);
    const json = spawnSync(join(BIN, 'sogoctl'), ['status', '--json'], { env: run.env, encoding: 'utf8' });
    const status = JSON.parse(json.stdout) as {
      supervisor: { pid: number };
      instances: { service: string }[];
    };
    expect(second.stdout).toContain(`already running (pid ${status.supervisor.pid})`);
    expect(status.instances.map((r) => r.service)).toContain('sogoway');

    const tags = join(setup.config, 'queries', 'prokov', 'tags.yaml');
    const good = readFileSync(tags, 'utf8');
    writeFileSync(tags, `${good}\nlist: [unclosed\n`);
    await shows(run, 'config change refused');
    // Let every service refuse it (they reload within the watch debounce and the 2 s poll).
    await new Promise((r) => setTimeout(r, 4_000));
    const out = run.output();
    expect(count(out, 'config change refused')).toBe(1);
    expect(count(out, 'tags.yaml: YAML syntax error')).toBe(1);

    writeFileSync(tags, good);
    await shows(run, 'config files valid again');
  }, 120_000);

  // The "missing column" case (a query naming a column the table lacks) is in start-query-prepare.test.ts.
});
