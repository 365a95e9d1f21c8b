// Cold start of the supervisor: wall time from spawning bin/sogoctl to its "ready" event (every service
// healthy), for four services shaped like production — logs; db and smtp after logs; gateway after both.
// Each service is a small real Node process answering the protocol `health` on a Unix socket (the sogoctl
// test fixture), so the number measures the supervisor: spawning, dependency waits and health polling.
// Run: npx tsx scripts/bench/sogoctl-start.ts [runs]   (target: median < 2000 ms)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOGOCTL = join(ROOT, 'bin', 'sogoctl');
const FIXTURE = join(ROOT, 'apps', 'sogoctl', 'test', 'fixtures', 'health-service.mjs');
const RUNS = Number(process.argv[2] ?? 7);
const TARGET_MS = 2_000;
const TIMEOUT_MS = 30_000;

const SERVICES: Record<string, string[]> = {
  logs: [],
  db: ['logs'],
  smtp: ['logs'],
  gateway: ['db', 'smtp'],
};

function writeConfig(dir: string): void {
  const services = Object.fromEntries(
    Object.entries(SERVICES).map(([name, deps]) => {
      const socket = join(dir, `${name}.sock`);
      return [
        name,
        {
          binary: process.execPath,
          args: [FIXTURE, '--name', name, '--socket', socket],
          health_socket: socket,
          depends_on: deps,
        },
      ];
    }),
  );
  const supervisor = {
    log_file: join(dir, 'sogoctl.log'),
    control_socket: join(dir, 'ctl.sock'),
    stop_timeout: '2s',
  };
  writeFileSync(join(dir, 'sogoctl.yaml'), JSON.stringify({ supervisor, services }));
}

/** One cold start: ms until sogoctl logs `ready`, then a clean SIGTERM stop. */
async function once(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  writeConfig(dir);
  const t0 = performance.now();
  const child = spawn(SOGOCTL, ['-config', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within ${TIMEOUT_MS}ms`)), TIMEOUT_MS);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('"event":"ready"')) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      });
      exited.then((code) => reject(new Error(`sogoctl exited early with code ${code}`)));
    });
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) console.error(`warning: sogoctl exited with code ${code} after SIGTERM`);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(SOGOCTL)) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const ms = await once();
  times.push(ms);
  console.log(`run ${i + 1}/${RUNS}: ${ms.toFixed(0)} ms`);
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  `sogoctl cold start, 4 services to all healthy: median ${median.toFixed(0)} ms ` +
    `(min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}) — target < ${TARGET_MS} ms: ${median < TARGET_MS ? 'met' : 'MISSED'}`,
);
