// `pnpm bench:scale`: lists on a big table. 1,000,000 tasks (100 users × 10,000), made from the bench data set
// by one INSERT … SELECT against MariaDB's sequence table; then deep pages by offset (the platform's deferred
// join vs the monolith's plain OFFSET), by cursor (?after=, platform only), an offset past the bound (400), and
// limit 1/20/100/500, each side by side with the baseline monolith (scripts/bench/baseline.ts). The database
// is dropped at the end. Prints a markdown block for docs/BENCHMARKS.md.
//
// Environment: BENCH_DURATION (s, default 5), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS (default 10).
import { type ChildProcess, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_MAX_OFFSET } from '@sogoms/config';
import { encodeCursor } from '../../apps/sogoway/src/crud/cursor.js';
import { mariadbAvailable } from '../../tests/helpers/mariadb.js';
import { httpRequest, ROOT } from '../../tests/helpers/platform.js';
import { forkBaseline, stopBaseline } from './baseline-process.js';
import { BENCH_PASSWORD, createBenchData } from './dataset.js';
import { type LoadSettings, type Measure, measure, type Scenario, type ScenarioUser } from './load.js';
import { describeMachine } from './machine.js';
import { BENCH_HOST, startBenchPlatform } from './platform.js';

const env = process.env;
const settings: LoadSettings = {
  connections: Number(env.BENCH_CONNECTIONS ?? 10),
  warmupS: Number(env.BENCH_WARMUP ?? 2),
  durationS: Number(env.BENCH_DURATION ?? 5),
};
const COPIES = 99; // 10,000 bench tasks + 99 copies = 1,000,000
const say = (line: string) => process.stdout.write(`${line}\n`);
const noCpu = () => new Map();

if (!(await mariadbAvailable())) {
  console.error(
    'pnpm bench:scale needs the local MariaDB (127.0.0.1:3306, or SOGOMS_TEST_MARIADB_* variables).',
  );
  process.exit(1);
}
if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

say('generating the data set (100 users, 10,000 tasks)…');
const data = await createBenchData({ addIndexes: true });
const started = Date.now();
await data.db.exec(
  `INSERT INTO tasks (user_id, project_id, status_id, title, description, priority, due_date, position, done)
   SELECT t.user_id, t.project_id, t.status_id, CONCAT(t.title, ' #', s.seq), t.description, t.priority,
     t.due_date, t.position, t.done
   FROM tasks t CROSS JOIN seq_1_to_${COPIES} s`,
);
await data.db.exec('ANALYZE TABLE tasks');
const total = Number((await data.db.rows<{ n: number }>('SELECT COUNT(*) AS n FROM tasks'))[0]?.n);
say(
  `${total} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s (INSERT … SELECT from seq_1_to_${COPIES})`,
);
const perUser = total / data.users.length;
const mariadbVersion = String((await data.db.rows<{ v: string }>('SELECT VERSION() AS v'))[0]?.v);

let platform: Awaited<ReturnType<typeof startBenchPlatform>> | undefined;
let baseline: ChildProcess | undefined;
try {
  platform = await startBenchPlatform({ database: data.db.name, dbInstances: 1, dbPool: 10 });
  const p = platform;
  const get = (url: string, path: string, token: string) =>
    httpRequest(`${url}${path}`, 'GET', { host: BENCH_HOST, authorization: `Bearer ${token}` });

  say('logging every user in…');
  const users: Array<ScenarioUser & { cursor: string }> = [];
  for (const u of data.users) {
    const res = await httpRequest(
      `${p.url}/api/auth/login`,
      'POST',
      { host: BENCH_HOST, 'content-type': 'application/json' },
      JSON.stringify({ email: u.email, password: BENCH_PASSWORD }),
    );
    if (res.status !== 200) throw new Error(`login of ${u.email}: ${res.status}`);
    const token = (res.body.data as { token: string }).token;
    // The cursor a client holds after walking to row 5,000 (past the offset bound: only ?after= gets there).
    const [row] = await data.db.rows<{ position: number; id: number }>(
      'SELECT position, id FROM tasks WHERE user_id = ? ORDER BY position, id LIMIT 1 OFFSET 4999',
      [u.id],
    );
    users.push({ ...u, token, cursor: encodeCursor({ sort: '', values: [row!.position, row!.id] }) });
  }

  const forked = await forkBaseline({ database: data.db.name, jwtSecret: p.jwtSecret });
  baseline = forked.child;
  const baselineUrl = await forked.ready;

  // Same rows on both sides at the deepest allowed offset (deferred join vs plain OFFSET); the cursor page is
  // the monolith's page at offset 5000.
  const probe = users[0]!;
  const ids = (r: { body: { data?: unknown } }) =>
    (r.body.data as Array<{ id: number }>).map((t) => t.id).join();
  const [deep, deepBase, cursorPage, base5000] = await Promise.all([
    get(p.url, `/api/tasks?limit=20&offset=${DEFAULT_MAX_OFFSET}`, probe.token),
    get(baselineUrl, `/api/tasks?limit=20&offset=${DEFAULT_MAX_OFFSET}`, probe.token),
    get(p.url, `/api/tasks?limit=20&after=${probe.cursor}`, probe.token),
    get(baselineUrl, '/api/tasks?limit=20&offset=5000', probe.token),
  ]);
  if (deep.status !== 200 || ids(deep) !== ids(deepBase) || ids(cursorPage) !== ids(base5000))
    throw new Error('platform, baseline and cursor disagree on a deep page');
  const past = await get(p.url, `/api/tasks?offset=${DEFAULT_MAX_OFFSET + 1}`, probe.token);
  say(
    `offset ${DEFAULT_MAX_OFFSET + 1} (past the default bound): ${past.status} ${JSON.stringify(past.body.error)}`,
  );

  const list = (key: string, query: (u: (typeof users)[number]) => string): Scenario => ({
    key,
    name: `GET /api/tasks?${query({ ...probe, cursor: '<cursor@5000>' })}`,
    method: 'GET',
    build: (u) => ({ path: `/api/tasks?${query(u as (typeof users)[number])}`, token: u.token }),
  });
  // Offsets past the bound run on the monolith only: the platform answers them 400.
  const rows: Array<{ scenario: Scenario; platform: boolean; baseline: boolean }> = [
    { scenario: list('first', () => 'limit=20'), platform: true, baseline: true },
    ...[DEFAULT_MAX_OFFSET, 5000, perUser - 20].map((o) => ({
      scenario: list(`offset${o}`, () => `limit=20&offset=${o}`),
      platform: o <= DEFAULT_MAX_OFFSET,
      baseline: true,
    })),
    { scenario: list('cursor', (u) => `limit=20&after=${u.cursor}`), platform: true, baseline: false },
    ...[1, 100, 500].map((l) => ({
      scenario: list(`limit${l}`, () => `limit=${l}`),
      platform: true,
      baseline: true,
    })),
  ];
  const results: Array<{ name: string; platform?: Measure; baseline?: Measure }> = [];
  for (const row of rows) {
    const result: (typeof results)[number] = { name: row.scenario.name };
    if (row.platform) {
      say(`${row.scenario.name}: platform…`);
      result.platform = await measure(p.url, BENCH_HOST, row.scenario, users, settings, noCpu);
    }
    if (row.baseline) {
      say(`${row.scenario.name}: baseline…`);
      result.baseline = await measure(baselineUrl, BENCH_HOST, row.scenario, users, settings, noCpu);
    }
    results.push(result);
  }

  const first = results[0]!.platform!;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const cells = (m: Measure | undefined, what: 'platform' | 'baseline') => {
    if (!m) return what === 'platform' ? ['400 (refused)', '', '', ''] : ['n/a', ''];
    const bad = m.notOk + m.errors > 0 ? ` (${m.notOk + m.errors} failed)` : '';
    return what === 'platform'
      ? [`${fmt(m.reqPerS)}${bad}`, String(m.p50), String(m.p99), (m.reqPerS / first.reqPerS).toFixed(2)]
      : [`${fmt(m.reqPerS)}${bad}`, String(m.p99)];
  };
  const lines = [
    '| scenario | platform req/s | p50 ms | p99 ms | vs first page | baseline req/s | baseline p99 ms | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const ratio = r.platform && r.baseline ? (r.platform.reqPerS / r.baseline.reqPerS).toFixed(2) : 'n/a';
      return `| ${[r.name, ...cells(r.platform, 'platform'), ...cells(r.baseline, 'baseline'), ratio].join(' | ')} |`;
    }),
  ];
  const machine = Object.entries(describeMachine(mariadbVersion))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  say('\n--- markdown for docs/BENCHMARKS.md ---\n');
  say(
    `${machine}. ${total.toLocaleString('en-US')} tasks (${fmt(perUser)} per user), ${settings.connections} ` +
      `connections, ${settings.warmupS} s warm-up then ${settings.durationS} s per scenario and side; ` +
      `limit.max_offset ${DEFAULT_MAX_OFFSET} (offset ${DEFAULT_MAX_OFFSET + 1} answers ${past.status}).\n`,
  );
  say(lines.join('\n'));
  const cursor = results.find((r) => r.name.includes('after='))!.platform!;
  const bounded = results.filter((r) => r.name.includes('offset=') && r.platform).map((r) => r.platform!);
  const worst = Math.min(...bounded.map((m) => m.reqPerS / first.reqPerS));
  const l100 = results.find((r) => r.name.endsWith('limit=100'))!;
  say(
    `\ncursor p99 ${cursor.p99} ms vs first page ${first.p99} ms (target ≤ 2×): ${cursor.p99 <= 2 * first.p99 ? 'met' : 'MISSED'}` +
      `\nbounded offset, worst req/s vs first page ${worst.toFixed(2)} (target ≥ 0.5): ${worst >= 0.5 ? 'met' : 'MISSED'}` +
      `\nlimit=100 vs baseline ${(l100.platform!.reqPerS / l100.baseline!.reqPerS).toFixed(2)} (target ≥ 1.4)`,
  );
} finally {
  await stopBaseline(baseline);
  await platform?.stop();
  await data.db.drop();
}
