// `pnpm bench`: the platform (sogoway → sogoms-db → MariaDB, started by bin/sogoctl) against the in-process
// baseline (scripts/bench/baseline.ts), scenario by scenario, on a generated MariaDB data set; then idle and
// after-load RSS of every process. Prints a terminal table and a markdown block for docs/BENCHMARKS.md.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 10),
// BENCH_ONLY=list,show,create,login, BENCH_DB_INSTANCES (default 1), BENCH_DB_POOL (default 10),
// BENCH_LIMITER_KEYS (default 60000 distinct addresses sent to password/forgot before the last RSS reading),
// BENCH_NO_INDEX=1 (keep clients/prokov.sql's indexes as they are), BENCH_PROF=DIR (run every process with
// --cpu-prof into DIR and summarize the profiles).
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mariadbAvailable } from '../../tests/helpers/mariadb.js';
import { freePort, httpRequest, ROOT } from '../../tests/helpers/platform.js';
import { findMariadbPid, snapshot } from './cpu.js';
import { BENCH_PASSWORD, createBenchData, USERS } from './dataset.js';
import { floodLimiter } from './limiter-flood.js';
import { type LoadSettings, measure, SCENARIOS, type ScenarioUser } from './load.js';
import { describeMachine } from './machine.js';
import { platformRss, rssMb } from './memory.js';
import { BENCH_HOST, startBenchPlatform } from './platform.js';
import { summarizeProfiles } from './profile-summary.js';
import { markdownReport, type ScenarioResult, textReport } from './report.js';

const env = process.env;
const settings: LoadSettings = {
  connections: Number(env.BENCH_CONNECTIONS ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 3),
  durationS: Number(env.BENCH_DURATION ?? 10),
};
const dbInstances = Number(env.BENCH_DB_INSTANCES ?? 1);
const dbPool = Number(env.BENCH_DB_POOL ?? 10);
const only = env.BENCH_ONLY?.split(',').map((s) => s.trim());
const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.key));
const profDir = env.BENCH_PROF ? resolve(env.BENCH_PROF) : undefined;
const LOGIN_CONCURRENCY = 4;

const say = (line: string) => process.stdout.write(`${line}\n`);

if (!(await mariadbAvailable())) {
  console.error('pnpm bench needs the local MariaDB (127.0.0.1:3306, or SOGOMS_TEST_MARIADB_* variables).');
  process.exit(1);
}
// Always rebuild: a stale dist/ would bench old code (esbuild takes a few seconds).
if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

say(`generating the data set (${USERS} users, bcrypt cost 10, 10,000 tasks)…`);
const data = await createBenchData({ addIndexes: !env.BENCH_NO_INDEX });
if (data.addedIndexes.length > 0)
  say(
    `note: added index ${data.addedIndexes.join(', ')} missing from clients/prokov.sql (see docs/BENCHMARKS.md)`,
  );
const mariadbVersion = String((await data.db.rows<{ v: string }>('SELECT VERSION() AS v'))[0]?.v);

let platform: Awaited<ReturnType<typeof startBenchPlatform>> | undefined;
let baseline: ChildProcess | undefined;
try {
  say(`starting the platform (sogoms-db instances: ${dbInstances})…`);
  platform = await startBenchPlatform({
    database: data.db.name,
    dbInstances,
    dbPool,
    ...(profDir ? { profDir } : {}),
  });
  const p = platform;

  say('logging every user in through the platform…');
  const users: ScenarioUser[] = [];
  for (let i = 0; i < data.users.length; i += LOGIN_CONCURRENCY) {
    const batch = data.users.slice(i, i + LOGIN_CONCURRENCY);
    const logged = await Promise.all(
      batch.map(async (u) => {
        const res = await httpRequest(
          `${p.url}/api/auth/login`,
          'POST',
          { host: BENCH_HOST, 'content-type': 'application/json' },
          JSON.stringify({ email: u.email, password: BENCH_PASSWORD }),
        );
        if (res.status !== 200)
          throw new Error(`login of ${u.email}: ${res.status} ${JSON.stringify(res.body)}`);
        return { ...u, token: (res.body.data as { token: string }).token };
      }),
    );
    users.push(...logged);
  }

  const baselinePort = await freePort();
  if (profDir) mkdirSync(join(profDir, 'baseline'), { recursive: true });
  baseline = fork(fileURLToPath(new URL('./baseline.ts', import.meta.url)), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, 'baseline')}`] : []),
    ],
    env: {
      ...env,
      BASELINE_PORT: String(baselinePort),
      BASELINE_DB: data.db.name,
      BASELINE_SECRET: p.jwtSecret,
    },
  });
  await new Promise((resolveReady, reject) => {
    baseline!.once('message', resolveReady);
    baseline!.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
  });
  const baselineUrl = `http://127.0.0.1:${baselinePort}`;

  // Both sides must answer the same rows, or the comparison means nothing.
  const probe = users[0]!;
  const ask = (url: string) =>
    httpRequest(`${url}/api/tasks?limit=20`, 'GET', {
      host: BENCH_HOST,
      authorization: `Bearer ${probe.token}`,
    });
  const [viaPlatform, viaBaseline] = await Promise.all([ask(p.url), ask(baselineUrl)]);
  const ids = (r: typeof viaPlatform) =>
    JSON.stringify((r.body.data as Array<{ id: number }>).map((t) => t.id));
  if (viaPlatform.status !== 200 || ids(viaPlatform) !== ids(viaBaseline))
    throw new Error(`platform and baseline disagree on the list: ${ids(viaPlatform)} vs ${ids(viaBaseline)}`);

  await new Promise((r) => setTimeout(r, 2_000)); // let start-up garbage settle before reading idle RSS
  const rssNow = async () => [
    ...(await platformRss(p.controlSocket, p.sogoctl.pid!)),
    { name: 'baseline', pid: baseline!.pid!, rssMb: rssMb(baseline!.pid!) },
  ];
  const before = await rssNow();
  // The processes whose CPU time is split per request: every platform process, MariaDB, the baseline.
  const watched = new Map(before.map((p) => [p.name, p.pid]));
  watched.delete('sogoctl');
  const mariadbPid = findMariadbPid();
  if (mariadbPid) watched.set('MariaDB', mariadbPid);
  const cpu = () => snapshot(watched);

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    say(`${scenario.name}: platform…`);
    const onPlatform = await measure(p.url, BENCH_HOST, scenario, users, settings, cpu);
    say(`${scenario.name}: baseline…`);
    const onBaseline = await measure(baselineUrl, BENCH_HOST, scenario, users, settings, cpu);
    results.push({ name: scenario.name, platform: onPlatform, baseline: onBaseline });
  }
  const after = await rssNow();

  // The rate limiter's memory counts in the gateway's RSS: a flood of distinct keys (past its 50,000-window cap).
  const floodKeys = Number(env.BENCH_LIMITER_KEYS ?? 60_000);
  let floodLine = '';
  if (floodKeys > 0) {
    say(`rate limiter: ${floodKeys.toLocaleString('en')} password/forgot calls with distinct addresses…`);
    const answered = await floodLimiter(p.url, BENCH_HOST, floodKeys);
    const gatewayAfter = (await rssNow()).find((r) => r.name === 'sogoway')?.rssMb;
    const gatewayBefore = after.find((r) => r.name === 'sogoway')?.rssMb;
    floodLine =
      `rate limiter flood: ${floodKeys.toLocaleString('en')} distinct addresses (${answered} answered 200): ` +
      `sogoway RSS ${gatewayBefore?.toFixed(1)} MiB after load → ${gatewayAfter?.toFixed(1)} MiB after the flood`;
  }

  const settingsLine =
    `${settings.connections} connections, ${settings.warmupS} s warm-up then ${settings.durationS} s measured per ` +
    `scenario and side; sogoms-db instances: ${dbInstances}, pool ${dbPool}; ${USERS} users, 10,000 tasks` +
    (data.addedIndexes.length ? `; added index ${data.addedIndexes.join(', ')}` : '');
  say('');
  say(textReport(results, before, after));
  say('\n--- markdown for docs/BENCHMARKS.md ---\n');
  say(markdownReport(results, before, after, describeMachine(mariadbVersion), settingsLine));
  if (floodLine) say(`\n${floodLine}`);
  const list = results.find((r) => r.name.startsWith('GET /api/tasks?'));
  if (list) {
    const ratio = list.platform.reqPerS / list.baseline.reqPerS;
    say(
      `\nlist target (≥ 1.2 × baseline, ≥ 2,500 req/s, p99 < 25 ms): ratio ${ratio.toFixed(2)}, ` +
        `${Math.round(list.platform.reqPerS)} req/s, p99 ${list.platform.p99} ms — ` +
        (ratio >= 1.2 && list.platform.reqPerS >= 2500 && list.platform.p99 < 25 ? 'met' : 'MISSED'),
    );
  }
} finally {
  if (baseline && baseline.exitCode === null) {
    const gone = new Promise((r) => baseline!.once('exit', r));
    baseline.disconnect();
    await gone;
  }
  await platform?.stop();
  await data.db.drop();
}

if (profDir) {
  say('\n--- CPU profiles (self time) ---');
  say(summarizeProfiles(profDir));
}
