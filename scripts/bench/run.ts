// `pnpm bench`: the platform (sogoway → sogoms-db → MariaDB, started by bin/sogoctl) against the in-process
// baseline (scripts/bench/baseline.ts), scenario by scenario, on a generated MariaDB data set; then idle and
// after-load RSS of every process. Prints a terminal table and a markdown block for docs/BENCHMARKS.md.
//
// Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 3), BENCH_CONNECTIONS (default 10),
// BENCH_ONLY=list,list-schema,show,create,login,push (list-schema: the same list on the schema twin app, reported
// next to the YAML list; push: scripts/bench/push.ts, run last on a platform of its own with a private Mosquitto),
// BENCH_DB_INSTANCES (default 1), BENCH_DB_POOL (default 10), BENCH_LIMITER_KEYS (default 60000 distinct addresses
// sent to password/forgot before the last RSS reading), BENCH_NO_INDEX=1 (keep clients/prokov.sql's indexes as they
// are), BENCH_PROF=DIR (run every process with --cpu-prof into DIR and summarize the profiles).
import { type ChildProcess, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mariadbAvailable } from '../../tests/helpers/mariadb.js';
import { httpRequest, ROOT } from '../../tests/helpers/platform.js';
import { forkBaseline, stopBaseline } from './baseline-process.js';
import { findMariadbPid, snapshot } from './cpu.js';
import { BENCH_PASSWORD, createBenchData, USERS } from './dataset.js';
import { floodLimiter } from './limiter-flood.js';
import { type LoadSettings, measure, SCENARIOS, type ScenarioUser } from './load.js';
import { describeMachine } from './machine.js';
import { platformRss, rssMb } from './memory.js';
import { BENCH_HOST, BENCH_SCHEMA_HOST, startBenchPlatform } from './platform.js';
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
const wantsPush = !only || only.includes('push');
const LOGIN_CONCURRENCY = 4;

const say = (line: string) => process.stdout.write(`${line}\n`);

type Row = Record<string, unknown>;

/** How two lists of the same rows differ, in words ('' when they are identical). */
function listDifference(yaml: Row[], schema: Row[]): string {
  const found: string[] = [];
  if (yaml.map((r) => r.id).join() !== schema.map((r) => r.id).join())
    found.push(
      `order ${yaml.map((r) => r.id).join(',')} (YAML) vs ${schema.map((r) => r.id).join(',')} (schema)`,
    );
  const columns = (rows: Row[]) => Object.keys(rows[0] ?? {}).join(', ');
  if (columns(yaml) !== columns(schema))
    found.push(`columns [${columns(yaml)}] (YAML) vs [${columns(schema)}] (schema)`);
  else {
    const byId = new Map(schema.map((r) => [r.id, r]));
    const changed = yaml.filter((r) => JSON.stringify(r) !== JSON.stringify(byId.get(r.id)));
    if (changed.length > 0)
      found.push(`values of ${changed.length} row(s), e.g. id ${String(changed[0]!.id)}`);
  }
  return found.join('; ');
}

/**
 * Change events need a platform of their own with a private Mosquitto and push switched on and off: push.ts, run
 * after the other scenarios so that its load does not overlap theirs.
 */
function runPushBench(): void {
  say(
    '\n--- push: create throughput with change events on and off, event latency (scripts/bench/push.ts) ---',
  );
  const push = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench', 'push.ts')], {
    stdio: 'inherit',
    cwd: ROOT,
  });
  if (push.status !== 0) process.exitCode = 1;
}

if (scenarios.length === 0 && wantsPush) {
  runPushBench();
  process.exit();
}

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

  // Tokens are per app (the JWT's `app` claim): every user logs in to the app each scenario runs against.
  const logIn = async (host: string): Promise<ScenarioUser[]> => {
    const logged: ScenarioUser[] = [];
    for (let i = 0; i < data.users.length; i += LOGIN_CONCURRENCY) {
      const batch = data.users.slice(i, i + LOGIN_CONCURRENCY);
      const tokens = await Promise.all(
        batch.map(async (u) => {
          const res = await httpRequest(
            `${p.url}/api/auth/login`,
            'POST',
            { host, 'content-type': 'application/json' },
            JSON.stringify({ email: u.email, password: BENCH_PASSWORD }),
          );
          if (res.status !== 200)
            throw new Error(`login of ${u.email} on ${host}: ${res.status} ${JSON.stringify(res.body)}`);
          return { ...u, token: (res.body.data as { token: string }).token };
        }),
      );
      logged.push(...tokens);
    }
    return logged;
  };
  say('logging every user in through the platform…');
  const users = await logIn(BENCH_HOST);
  const schemaUsers = scenarios.some((s) => s.app === 'schema') ? await logIn(BENCH_SCHEMA_HOST) : [];

  const forked = await forkBaseline({
    database: data.db.name,
    jwtSecret: p.jwtSecret,
    ...(profDir ? { profDir } : {}),
  });
  baseline = forked.child;
  const baselineUrl = await forked.ready;

  // Both sides must answer the same rows, or the comparison means nothing.
  const ask = (url: string, host = BENCH_HOST, token = users[0]!.token) =>
    httpRequest(`${url}/api/tasks?limit=20`, 'GET', { host, authorization: `Bearer ${token}` });
  const [viaPlatform, viaBaseline] = await Promise.all([ask(p.url), ask(baselineUrl)]);
  const rowsOf = (r: typeof viaPlatform) => (Array.isArray(r.body.data) ? r.body.data : []) as Row[];
  const ids = (r: typeof viaPlatform) => JSON.stringify(rowsOf(r).map((t) => t.id));
  if (viaPlatform.status !== 200 || ids(viaPlatform) !== ids(viaBaseline))
    throw new Error(`platform and baseline disagree on the list: ${ids(viaPlatform)} vs ${ids(viaBaseline)}`);
  // The schema twin must list the very rows the hand-written list does, or its numbers compare nothing; a
  // difference of order, columns or values is reported (and kept for the summary line).
  let schemaDiff = '';
  if (schemaUsers.length > 0) {
    const viaSchema = await ask(p.url, BENCH_SCHEMA_HOST, schemaUsers[0]!.token);
    const sorted = (r: typeof viaPlatform) =>
      JSON.stringify(
        rowsOf(r)
          .map((t) => Number(t.id))
          .sort((a, b) => a - b),
      );
    if (viaSchema.status !== 200 || sorted(viaSchema) !== sorted(viaPlatform))
      throw new Error(
        `the schema list and the YAML list disagree on the rows: ${viaSchema.status} ${ids(viaSchema)} vs ${ids(viaPlatform)}`,
      );
    schemaDiff = listDifference(rowsOf(viaPlatform), rowsOf(viaSchema));
    say(
      schemaDiff
        ? `note: the schema list differs from the YAML list (same rows): ${schemaDiff}`
        : 'the schema list answers the same rows, order, columns and values as the YAML list',
    );
  }

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
  const byKey = new Map<string, ScenarioResult>();
  for (const scenario of scenarios) {
    const schema = scenario.app === 'schema';
    say(`${scenario.name}: platform…`);
    const onPlatform = await measure(
      p.url,
      schema ? BENCH_SCHEMA_HOST : BENCH_HOST,
      scenario,
      schema ? schemaUsers : users,
      settings,
      cpu,
    );
    say(`${scenario.name}: baseline…`);
    // The baseline has one app (prokov tokens); for a schema scenario it serves the hand-written twin.
    const onBaseline = await measure(baselineUrl, BENCH_HOST, scenario, users, settings, cpu);
    const result = { name: scenario.name, platform: onPlatform, baseline: onBaseline };
    results.push(result);
    byKey.set(scenario.key, result);
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
  const list = byKey.get('list');
  if (list) {
    const ratio = list.platform.reqPerS / list.baseline.reqPerS;
    say(
      `\nlist target (≥ 1.2 × baseline, ≥ 2,500 req/s, p99 < 25 ms): ratio ${ratio.toFixed(2)}, ` +
        `${Math.round(list.platform.reqPerS)} req/s, p99 ${list.platform.p99} ms — ` +
        (ratio >= 1.2 && list.platform.reqPerS >= 2500 && list.platform.p99 < 25 ? 'met' : 'MISSED'),
    );
  }
  const schemaList = byKey.get('list-schema');
  if (schemaList) {
    const s = schemaList.platform;
    say(
      list
        ? `schema twin: ${Math.round(s.reqPerS)} req/s vs YAML ${Math.round(list.platform.reqPerS)} req/s ` +
            `(${((100 * s.reqPerS) / list.platform.reqPerS).toFixed(1)} %), p99 ${s.p99} ms vs ` +
            `${list.platform.p99} ms — within 5 %: ${s.reqPerS >= 0.95 * list.platform.reqPerS ? 'met' : 'MISSED'}` +
            (schemaDiff ? ` (lists differ: ${schemaDiff})` : '')
        : `schema twin: ${Math.round(s.reqPerS)} req/s, p99 ${s.p99} ms (run with BENCH_ONLY=list,list-schema ` +
            'to compare it with the YAML list)',
    );
  }
} finally {
  await stopBaseline(baseline);
  await platform?.stop();
  await data.db.drop();
}

if (profDir) {
  say('\n--- CPU profiles (self time) ---');
  say(summarizeProfiles(profDir));
}

if (wantsPush) runPushBench();
