// `pnpm bench:apps [N]`: what many tenants cost. Generates N app folders copying prokov (routes, queries, emails;
// each app on its own SQLite file, or its own MariaDB database with BENCH_APPS_DRIVER=mysql), then measures:
//   - cold start: spawning bin/sogoctl to its "ready" event (every service healthy);
//   - an edit served: one query file of one app rewritten, to the changed query answering over HTTP;
//   - the CPU every process spent on that edit (user + system, from /proc);
//   - idle RSS of every process, after start and after the edit has settled;
//   - `sogoctl check` of the tree.
// Environment: BENCH_APPS_DRIVER=sqlite|mysql (default sqlite), BENCH_APPS_RUNS (cold starts, default 3).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTestDatabase, mariadbAvailable, type TestDatabase } from '../../tests/helpers/mariadb.js';
import { freePort, httpRequest, ROOT } from '../../tests/helpers/platform.js';
import { coreSogoctlYaml } from './core-sogoctl.js';
import { platformRss } from './memory.js';

const N = Number(process.argv[2] ?? 100);
const DRIVER = process.env.BENCH_APPS_DRIVER === 'mysql' ? 'mysql' : 'sqlite';
const RUNS = Number(process.env.BENCH_APPS_RUNS ?? 3);
const BIN = process.env.BENCH_APPS_BIN ?? join(ROOT, 'bin');
const EDITED = Math.floor(N / 2);
const TIMEOUT_MS = 60_000;
const SETTLE_MS = 3_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Tree {
  dir: string;
  configDir: string;
  runDir: string;
  port: number;
  dbs: TestDatabase[];
}

async function writeTree(): Promise<Tree> {
  const dir = mkdtempSync(join(tmpdir(), 'sga-'));
  const configDir = join(dir, 'config');
  const runDir = join(dir, 'run');
  const logDir = join(dir, 'log');
  for (const sub of [join(configDir, 'routes'), runDir, logDir, join(dir, 'mail'), join(dir, 'db')])
    mkdirSync(sub, { recursive: true });
  writeFileSync(join(dir, 'jwt'), 'bench-secret-0123456789abcdef0123456789abcdef\n');
  const dbs: TestDatabase[] = [];
  let template: string | undefined;
  if (DRIVER === 'sqlite') {
    template = join(dir, 'db', 'template.db');
    const sqlite = new Database(template);
    sqlite.exec(readFileSync(join(ROOT, 'clients', 'prokov.sqlite.sql'), 'utf8'));
    sqlite.close();
  }
  const schema = readFileSync(join(ROOT, 'clients', 'prokov.sql'), 'utf8');
  for (let i = 1; i <= N; i++) {
    const app = `app${i}`;
    cpSync(join(ROOT, 'config', 'queries', 'prokov'), join(configDir, 'queries', app), { recursive: true });
    cpSync(join(ROOT, 'config', 'emails', 'prokov'), join(configDir, 'emails', app), { recursive: true });
    let database: string;
    if (DRIVER === 'sqlite') {
      cpSync(template!, join(dir, 'db', `${app}.db`));
      database = `database:\n  driver: sqlite\n  file: ../db/${app}.db`;
    } else {
      const db = await createTestDatabase(schema);
      dbs.push(db);
      database = `database:\n  driver: mysql\n  host: 127.0.0.1\n  port: 3306\n  user: root\n  name: ${db.name}\n  pool: 4`;
    }
    writeFileSync(
      join(configDir, 'routes', `${app}.yaml`),
      `app: ${app}\nversion: "1"\nhosts: [${app}.test]\n${database}\nauth:\n  jwt_secret_file: ../jwt\n  sessions: false\n  bcrypt_cost: 4\n  rate_limit:\n    enabled: false\nsmtp:\n  transport: file\n  dir: ../mail\n  from: noreply@${app}.test\n`,
    );
  }
  const port = await freePort();
  writeFileSync(
    join(configDir, 'sogoctl.yaml'),
    coreSogoctlYaml({ bin: BIN, configDir, runDir, logDir, port, healthInterval: '1s' }),
  );
  return { dir, configDir, runDir, port, dbs };
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | null>;
  readyMs: number;
}

async function start(tree: Tree): Promise<Running> {
  const t0 = performance.now();
  const child = spawn(join(BIN, 'sogoctl'), ['-config', tree.configDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready within ${TIMEOUT_MS} ms: ${out}`)),
      TIMEOUT_MS,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('"event":"ready"')) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    void exited.then((code) => reject(new Error(`sogoctl exited (${code}): ${out}`)));
  });
  return { child, exited, readyMs };
}

async function stop(running: Running): Promise<void> {
  running.child.kill('SIGTERM');
  await running.exited;
}

/** user + system CPU of a process in ms (from /proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function http(tree: Tree, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { host: `app${EDITED}.test`, 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return httpRequest(
    `http://127.0.0.1:${tree.port}${path}`,
    method,
    headers,
    body === undefined ? undefined : JSON.stringify(body),
  );
}

/** Rewrites app{EDITED}'s projects.yaml so that the list selects a marker, and times until it is served. */
async function editServed(tree: Tree, token: string, marker: string): Promise<number> {
  const file = join(tree.configDir, 'queries', `app${EDITED}`, 'projects.yaml');
  const text = readFileSync(file, 'utf8').replace(
    /SELECT id, user_id, name,( '[^']*' AS marker,)? description/,
    `SELECT id, user_id, name, '${marker}' AS marker, description`,
  );
  const t0 = performance.now();
  writeFileSync(file, text);
  for (;;) {
    const res = await http(tree, 'GET', '/api/projects', undefined, token);
    const rows = (res.body.data ?? []) as { marker?: string }[];
    if (rows[0]?.marker === marker) return performance.now() - t0;
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error('edit not served');
    await sleep(5);
  }
}

if (DRIVER === 'mysql' && !(await mariadbAvailable())) {
  console.error('BENCH_APPS_DRIVER=mysql needs the local MariaDB (127.0.0.1:3306).');
  process.exit(1);
}
if (!existsSync(join(BIN, 'sogoctl'))) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

say(`bench:apps — ${N} apps copying prokov, ${DRIVER}, ${RUNS} cold starts`);
const tree = await writeTree();
if (process.env.BENCH_APPS_TREE_ONLY) {
  say(`tree written (not measured): ${tree.configDir}`);
  process.exit(0);
}
try {
  const t0 = performance.now();
  const check = spawnSync(join(BIN, 'sogoctl'), ['check', '-config', tree.configDir], { encoding: 'utf8' });
  const checkMs = performance.now() - t0;
  if (check.status !== 0) throw new Error(`sogoctl check failed: ${check.stdout}${check.stderr}`);
  say(`sogoctl check: ${checkMs.toFixed(0)} ms`);

  const starts: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const running = await start(tree);
    starts.push(running.readyMs);
    say(`cold start ${run}/${RUNS}: ${running.readyMs.toFixed(0)} ms`);
    if (run < RUNS) {
      await stop(running);
      continue;
    }
    // The last run stays up for the edit and memory measurements.
    try {
      const control = join(tree.runDir, 'sogoctl.sock');
      await sleep(SETTLE_MS);
      const idle = await platformRss(control, running.child.pid!);
      const email = 'bench@example.test';
      await http(tree, 'POST', '/api/auth/register', { email, password: 'bench-password', name: 'Bench' });
      const login = await http(tree, 'POST', '/api/auth/login', { email, password: 'bench-password' });
      const token = (login.body.data as { token: string }).token;
      const created = await http(tree, 'POST', '/api/projects', { name: 'p' }, token);
      if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
      const edits: number[] = [];
      const cpu: Record<string, number[]> = {};
      // The CPU of an idle window (health checks) is taken off each edit's window.
      const idleStart = new Map(idle.map((p) => [p.name, cpuMs(p.pid)]));
      const idleT0 = performance.now();
      await sleep(2 * SETTLE_MS);
      const idleRate = new Map(
        idle.map((p) => [p.name, (cpuMs(p.pid) - idleStart.get(p.name)!) / (performance.now() - idleT0)]),
      );
      for (let i = 0; i < 5; i++) {
        await sleep(SETTLE_MS);
        const before = new Map(idle.map((p) => [p.name, cpuMs(p.pid)]));
        const t0 = performance.now();
        const ms = await editServed(tree, token, `m${i}`);
        edits.push(ms);
        await sleep(SETTLE_MS);
        const window = performance.now() - t0;
        for (const p of idle) {
          const spent = cpuMs(p.pid) - before.get(p.name)! - idleRate.get(p.name)! * window;
          cpu[p.name] = [...(cpu[p.name] ?? []), spent];
        }
        say(`edit ${i + 1}/5 served after ${ms.toFixed(0)} ms`);
      }
      const after = await platformRss(control, running.child.pid!);
      say('');
      say(`| ${N} apps, ${DRIVER} | value |`);
      say('| --- | --- |');
      say(`| cold start to ready (median of ${RUNS}) | ${median(starts).toFixed(0)} ms |`);
      say(`| an edit of one query file, served (median of 5) | ${median(edits).toFixed(0)} ms |`);
      say(`| \`sogoctl check\` | ${checkMs.toFixed(0)} ms |`);
      for (const p of idle) {
        const later = after.find((a) => a.name === p.name);
        say(
          `| ${p.name}: idle RSS / after the edits / CPU per edit (less idle) | ${p.rssMb.toFixed(0)} MiB / ${later?.rssMb.toFixed(0)} MiB / ${median(cpu[p.name] ?? [Number.NaN]).toFixed(0)} ms |`,
        );
      }
    } finally {
      await stop(running);
    }
  }
} finally {
  for (const db of tree.dbs) await db.drop();
  rmSync(tree.dir, { recursive: true, force: true });
}
