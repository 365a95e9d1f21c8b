// `pnpm bench:tenants [N]`: many tenants on one MariaDB. N apps (default 100) copying prokov, each on its own
// MariaDB database (pool 10, the default), behind one gateway and one sogoms-db (default -max-connections),
// with sogoctl checking health every 2 s. Measures:
//   - idle: after 8 s without traffic, MariaDB's Threads_connected, and /health's db connections;
//   - first contact: one register and one login on every app at once (each answer's status);
//   - load: logins spread over every app at c=BENCH_TENANTS_C (default 200) for BENCH_TENANTS_S seconds
//     (default 10): req/s, 503s and other non-2xx, peak Threads_connected, sogoms-db's waits and refusals;
//   - after idle_timeout (30 s by default, BENCH_TENANTS_IDLE overrides it): Threads_connected again.

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type AutocannonRequestData } from 'autocannon';
import mysql from 'mysql2/promise';
import { createTestDatabase, MARIADB, type TestDatabase } from '../../tests/helpers/mariadb.js';
import { freePort, httpRequest, ROOT } from '../../tests/helpers/platform.js';
import { coreSogoctlYaml } from './core-sogoctl.js';

const N = Number(process.argv[2] ?? 100);
const C = Number(process.env.BENCH_TENANTS_C ?? 200);
const DURATION_S = Number(process.env.BENCH_TENANTS_S ?? 10);
const IDLE = process.env.BENCH_TENANTS_IDLE ?? '5s';
const BIN = join(ROOT, 'bin');
const PASSWORD = 'bench-password-1';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sgt-'));
  const configDir = join(dir, 'config');
  const runDir = join(dir, 'run');
  const logDir = join(dir, 'log');
  for (const sub of [join(configDir, 'routes'), runDir, logDir, join(dir, 'mail')])
    mkdirSync(sub, { recursive: true });
  writeFileSync(join(dir, 'jwt'), 'bench-secret-0123456789abcdef0123456789abcdef\n');
  const schema = readFileSync(join(ROOT, 'clients', 'prokov.sql'), 'utf8');
  const dbs: TestDatabase[] = [];
  const root = await mysql.createConnection({ ...MARIADB });
  const threads = async () => {
    const [rows] = await root.query("SHOW STATUS LIKE 'Threads_connected'");
    return Number((rows as { Value: string }[])[0]?.Value ?? 0);
  };
  let child: ChildProcess | undefined;
  try {
    for (let i = 1; i <= N; i++) {
      const app = `app${i}`;
      const db = await createTestDatabase(schema);
      dbs.push(db);
      cpSync(join(ROOT, 'config', 'queries', 'prokov'), join(configDir, 'queries', app), { recursive: true });
      cpSync(join(ROOT, 'config', 'emails', 'prokov'), join(configDir, 'emails', app), { recursive: true });
      writeFileSync(
        join(configDir, 'routes', `${app}.yaml`),
        `app: ${app}\nhosts: [${app}.test]\ndatabase:\n  host: ${MARIADB.host}\n  port: ${MARIADB.port}\n  user: ${MARIADB.user}\n` +
          `${MARIADB.password ? `  password: ${JSON.stringify(MARIADB.password)}\n` : ''}  name: ${db.name}\n  idle_timeout: ${IDLE}\n` +
          `auth:\n  jwt_secret_file: ../jwt\n  bcrypt_cost: 4\n  rate_limit:\n    enabled: false\n` +
          `smtp:\n  transport: file\n  dir: ../mail\n  from: noreply@${app}.test\n`,
      );
    }
    const port = await freePort();
    writeFileSync(
      join(configDir, 'sogoctl.yaml'),
      coreSogoctlYaml({ bin: BIN, configDir, runDir, logDir, port, healthInterval: '2s' }),
    );
    const before = await threads();
    child = spawn(join(BIN, 'sogoctl'), ['-config', configDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 60_000);
      child!.stdout?.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('"event":"ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const health = async () => (await httpRequest(`${url}/health`, 'GET', { host: 'x' })).body.data;
    say(`${N} apps, MariaDB Threads_connected before start: ${before}`);
    await sleep(8_000);
    say(`idle 8 s: Threads_connected ${await threads()}; /health ${JSON.stringify(await health())}`);
    if (process.env.BENCH_TENANTS_KEEP) {
      const [pl] = await root.query(
        'SELECT COMMAND, STATE, LEFT(INFO, 60) AS info, COUNT(*) AS n FROM information_schema.PROCESSLIST GROUP BY 1, 2, 3',
      );
      say(JSON.stringify(pl));
    }

    const post = (app: string, path: string, body: unknown) =>
      httpRequest(
        `${url}/api/auth/${path}`,
        'POST',
        { host: `${app}.test`, 'content-type': 'application/json' },
        JSON.stringify(body),
      );
    const apps = Array.from({ length: N }, (_, i) => `app${i + 1}`);
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    await Promise.all(
      apps.map(async (app) => {
        const email = `u@${app}.test`;
        count((await post(app, 'register', { email, password: PASSWORD, name: 'U' })).status);
        count((await post(app, 'login', { email, password: PASSWORD })).status);
      }),
    );
    say(
      `first contact (register + login on every app at once): ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await threads());
        await sleep(200);
      }
    })();
    const result = await autocannon({
      url,
      connections: C,
      duration: DURATION_S,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          setupRequest: (req: AutocannonRequestData) => {
            const app = apps[Math.floor(Math.random() * N)]!;
            const body = JSON.stringify({ email: `u@${app}.test`, password: PASSWORD });
            return {
              ...req,
              method: 'POST',
              path: '/api/auth/login',
              headers: { ...req.headers, host: `${app}.test`, 'content-type': 'application/json' },
              body,
            };
          },
        },
      ],
    });
    sampling = false;
    await sampler;
    say(
      `load: logins over ${N} apps, c=${C}, ${DURATION_S} s: ${(result['2xx'] / result.duration).toFixed(0)} req/s, ` +
        `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, statuses ${JSON.stringify(statusCounts(result))}, ` +
        `errors ${result.errors + result.timeouts}; peak Threads_connected ${peak}`,
    );
    say(`after load: /health ${JSON.stringify(await health())}`);
    await sleep(2_000);
    const idleMs = Number.parseFloat(IDLE) * (IDLE.endsWith('ms') ? 1 : 1_000);
    await sleep(idleMs + 2_000);
    say(`after idle_timeout (${IDLE}) + 4 s: Threads_connected ${await threads()}`);
  } finally {
    if (child) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await root.end();
    for (const db of dbs) await db.drop().catch(() => undefined);
    if (process.env.BENCH_TENANTS_KEEP) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** autocannon's answers per HTTP status. */
function statusCounts(result: unknown): Record<string, number> {
  const stats = (result as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  return Object.fromEntries(Object.entries(stats).map(([code, s]) => [code, s.count]));
}

await main();
