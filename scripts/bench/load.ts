// The benchmark's scenarios, run with autocannon: 10 connections, a warm-up whose numbers are thrown away,
// then a measured run of fixed duration. Every request picks a random user (and, for show, one of that user's
// own tasks), so that caches see the spread of a real population rather than one hot token.
import autocannon, { type AutocannonRequestData, type AutocannonResult } from 'autocannon';
import { type CpuSnapshot, cpuDelta } from './cpu.js';
import type { BenchUser } from './dataset.js';
import { BENCH_PASSWORD } from './dataset.js';

export interface LoadSettings {
  connections: number;
  warmupS: number;
  durationS: number;
}

export interface ScenarioUser extends BenchUser {
  token: string;
}

export interface Scenario {
  /** Short name for BENCH_ONLY (list, list-schema, show, create, login). */
  key: string;
  name: string;
  method: 'GET' | 'POST';
  /**
   * `schema`: on the platform the scenario runs against the schema twin app (platform.ts BENCH_SCHEMA_HOST,
   * with that app's tokens); the baseline, which has one app, answers it as the hand-written twin.
   */
  app?: 'schema';
  /** Builds one request for a random user. */
  build(user: ScenarioUser, random: () => number): { path: string; body?: string; token?: string };
}

export const SCENARIOS: Scenario[] = [
  {
    key: 'list',
    name: 'GET /api/tasks?limit=20',
    method: 'GET',
    build: (u) => ({ path: '/api/tasks?limit=20', token: u.token }),
  },
  {
    // The same list, generated from schema/prokovschema.yaml instead of queries/prokov/tasks.yaml.
    key: 'list-schema',
    name: 'GET /api/tasks?limit=20 (schema)',
    method: 'GET',
    app: 'schema',
    build: (u) => ({ path: '/api/tasks?limit=20', token: u.token }),
  },
  {
    key: 'show',
    name: 'GET /api/tasks/:id',
    method: 'GET',
    build: (u, random) => ({
      path: `/api/tasks/${u.taskIds[Math.floor(random() * u.taskIds.length)]}`,
      token: u.token,
    }),
  },
  {
    key: 'create',
    name: 'POST /api/tasks',
    method: 'POST',
    build: (u, random) => ({
      path: '/api/tasks',
      token: u.token,
      body: JSON.stringify({
        title: `Bench task ${Math.floor(random() * 1e9)}`,
        description: 'created under load',
        priority: Math.floor(random() * 4),
        position: Math.floor(random() * 1000),
      }),
    }),
  },
  {
    key: 'login',
    name: 'POST /api/auth/login',
    method: 'POST',
    build: (u) => ({
      path: '/api/auth/login',
      body: JSON.stringify({ email: u.email, password: BENCH_PASSWORD }),
    }),
  },
];

export interface Measure {
  reqPerS: number;
  p50: number;
  p99: number;
  ok: number;
  notOk: number;
  errors: number;
  /** CPU seconds each watched process spent during the measured run. */
  cpu: CpuSnapshot;
}

function run(
  url: string,
  host: string,
  scenario: Scenario,
  users: ScenarioUser[],
  connections: number,
  durationS: number,
): Promise<AutocannonResult> {
  const random = Math.random;
  return autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        method: scenario.method,
        setupRequest: (req: AutocannonRequestData) => {
          const user = users[Math.floor(random() * users.length)]!;
          const built = scenario.build(user, random);
          const headers: Record<string, string> = { ...req.headers, host };
          if (built.token) headers.authorization = `Bearer ${built.token}`;
          if (built.body !== undefined) headers['content-type'] = 'application/json';
          return { ...req, method: scenario.method, path: built.path, headers, body: built.body ?? '' };
        },
      },
    ],
  });
}

/** Warm-up, then the measured run; req/s counts 2xx answers only, so that errors cannot inflate it. */
export async function measure(
  url: string,
  host: string,
  scenario: Scenario,
  users: ScenarioUser[],
  settings: LoadSettings,
  cpu: () => CpuSnapshot,
): Promise<Measure> {
  if (settings.warmupS > 0) await run(url, host, scenario, users, settings.connections, settings.warmupS);
  const before = cpu();
  const result = await run(url, host, scenario, users, settings.connections, settings.durationS);
  const spent = cpuDelta(before, cpu());
  return {
    reqPerS: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    notOk: result.non2xx,
    errors: result.errors + result.timeouts,
    cpu: spent,
  };
}
