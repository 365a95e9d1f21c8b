// `pnpm bench:push`: the cost of change events on the whole platform (bin/sogoctl, MariaDB, the gateway publishing
// to a private Mosquitto). 1) Create throughput with push on and off, alternated by hot reload (`push.enabled`),
// autocannon, 10 connections. 2) Event latency from the 201 of a create to the creator's SSE stream and to an MQTT
// subscriber of the creator's topic, p50/p99, with BENCH_PUSH_IDLE (default 1,000) idle SSE streams open.
//
// Environment: BENCH_DURATION (s per round, default 8), BENCH_ROUNDS (on/off pairs, default 6),
// BENCH_PUSH_IDLE (default 1000), BENCH_PUSH_EVENTS (default 500).

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { mariadbAvailable } from '../../tests/helpers/mariadb.js';
import { BROKER_ADMIN, startBroker } from '../../tests/helpers/mosquitto.js';
import { HOST, type Platform, ROOT, startPlatform } from '../../tests/helpers/platform.js';
import { openSse, type SseStream } from '../../tests/helpers/sse.js';
import { type CpuSnapshot, cpuDelta, findMariadbPid, snapshot } from './cpu.js';
import { platformRss } from './memory.js';

const env = process.env;
const DURATION_S = Number(env.BENCH_DURATION ?? 8);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 6);
const IDLE = Number(env.BENCH_PUSH_IDLE ?? 1000);
const EVENTS = Number(env.BENCH_PUSH_EVENTS ?? 500);
const STREAMS_PER_USER = 10;
const say = (line: string) => process.stdout.write(`${line}\n`);

if (!(await mariadbAvailable())) {
  console.error('pnpm bench:push needs the local MariaDB (127.0.0.1:3306).');
  process.exit(1);
}
if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

const broker = await startBroker();
const pushSection = (enabled: boolean) => `push:
  enabled: ${enabled}
  broker: ${broker.url}
  username: ${BROKER_ADMIN.username}
  password: ${BROKER_ADMIN.password}
  rows: [tasks]`;
let p: Platform | undefined;
const streams: SseStream[] = [];
try {
  p = await startPlatform({
    driver: 'mysql',
    push: true,
    authLifetime: '  access_ttl: 2h',
    routesExtra: pushSection(true),
  });
  const platform = p;
  const routesFile = join(platform.configDir, 'routes', 'prokov.yaml');
  const register = async (email: string) => {
    const res = await platform.request('POST', '/api/auth/register', {
      body: { email, password: 'bench-password', name: 'B' },
    });
    if (res.status !== 201) throw new Error(`register: ${res.status}`);
    return res.body.data as { token: string; user: { id: number } };
  };
  const setPush = async (enabled: boolean) => {
    const text = readFileSync(routesFile, 'utf8').replace(/enabled: (true|false)/, `enabled: ${enabled}`);
    writeFileSync(routesFile, text);
    // The gateway reloads on change; give it time to apply the change.
    await new Promise((r) => setTimeout(r, 1_500));
  };
  const creator = await register('bench-push@example.com');
  // CPU time per create, per process: what push costs where, however busy the machine is.
  const watched = new Map(
    (await platformRss(join(platform.runDir, 'sogoctl.sock'), platform.sogoctl.pid!)).map((r) => [
      r.name,
      r.pid,
    ]),
  );
  watched.set('mosquitto', broker.pid()!);
  const mariadbPid = findMariadbPid();
  if (mariadbPid) watched.set('MariaDB', mariadbPid);
  const cpuPerCreate = { on: new Map<string, number[]>(), off: new Map<string, number[]>() };
  const record = (side: 'on' | 'off', before: CpuSnapshot, created: number) => {
    for (const [name, used] of cpuDelta(before, snapshot(watched))) {
      const list = cpuPerCreate[side].get(name) ?? [];
      list.push((used.cpuS * 1e6) / created);
      cpuPerCreate[side].set(name, list);
    }
  };
  const createLoad = async (side?: 'on' | 'off'): Promise<number> => {
    const before = snapshot(watched);
    const result = await autocannon({
      url: platform.url,
      connections: 10,
      duration: DURATION_S,
      headers: {
        host: HOST,
        authorization: `Bearer ${creator.token}`,
        'content-type': 'application/json',
      },
      requests: [
        { method: 'POST', path: '/api/tasks', body: JSON.stringify({ title: 'bench task', priority: 1 }) },
      ],
    });
    if (side) record(side, before, result['2xx']);
    return result['2xx'] / DURATION_S;
  };

  say(`create throughput, push on vs off, ${ROUNDS} rounds of ${DURATION_S} s each way…`);
  await setPush(true);
  await createLoad(); // warm-up
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await setPush(false);
    off.push(await createLoad('off'));
    await setPush(true);
    on.push(await createLoad('on'));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [onRps, offRps] = [mean(on), mean(off)];

  say(`opening ${IDLE} idle SSE streams (${Math.ceil(IDLE / STREAMS_PER_USER)} users)…`);
  for (let u = 0; u * STREAMS_PER_USER < IDLE; u++) {
    const user = await register(`bench-idle-${u}@example.com`);
    await Promise.all(
      Array.from({ length: Math.min(STREAMS_PER_USER, IDLE - u * STREAMS_PER_USER) }, async () => {
        const s = await openSse(`${platform.url}/api/realtime`, {
          host: HOST,
          authorization: `Bearer ${user.token}`,
        });
        if (s.status !== 200) throw new Error(`SSE: ${s.status}`);
        streams.push(s);
      }),
    );
  }
  const sse = await openSse(`${platform.url}/api/realtime?resources=tasks`, {
    host: HOST,
    authorization: `Bearer ${creator.token}`,
  });
  streams.push(sse);
  await sse.next((e) => e.event === 'ready');
  const subscriber = await mqtt.connectAsync(broker.url, { ...BROKER_ADMIN });
  await subscriber.subscribeAsync(`sogoms/prokov/users/${creator.user.id}/tasks`);
  const mqttSeen = new Map<number, number>();
  const mqttWaiters = new Map<number, (t: number) => void>();
  subscriber.on('message', (_topic, payload) => {
    const t = performance.now();
    const id = (JSON.parse(payload.toString()) as { id: number }).id;
    mqttSeen.set(id, t);
    mqttWaiters.get(id)?.(t);
  });

  say(`event latency over ${EVENTS} creates (one at a time)…`);
  const sseLat: number[] = [];
  const mqttLat: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const res = await platform.request('POST', '/api/tasks', {
      token: creator.token,
      body: { title: `latency ${i}` },
    });
    const t201 = performance.now();
    if (res.status !== 201) throw new Error(`create: ${res.status}`);
    const id = (res.body.data as { insert_id: number }).insert_id;
    const sseAt = sse
      .next((e) => e.event === 'change' && (JSON.parse(e.data) as { id: number }).id === id)
      .then(() => performance.now());
    const mqttAt =
      mqttSeen.get(id) ??
      (await new Promise<number>((r) => mqttWaiters.set(id, r)).finally(() => mqttWaiters.delete(id)));
    // An event may arrive before the client has read the 201: that counts as 0.
    sseLat.push(Math.max(0, (await sseAt) - t201));
    mqttLat.push(Math.max(0, mqttAt - t201));
  }
  await subscriber.endAsync();
  const pct = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  };
  const health = await platform.request('GET', '/health');
  const openStreams = (health.body.data as { push_events?: { streams: number } }).push_events?.streams;

  const diff = ((onRps - offRps) / offRps) * 100;
  const lines = [
    `| measure | value |`,
    `| --- | --- |`,
    `| create req/s, push off | ${offRps.toFixed(0)} (rounds: ${off.map((x) => x.toFixed(0)).join(', ')}) |`,
    `| create req/s, push on | ${onRps.toFixed(0)} (rounds: ${on.map((x) => x.toFixed(0)).join(', ')}) |`,
    `| difference | ${diff >= 0 ? '+' : ''}${diff.toFixed(1)} % (target: within 5 %) |`,
    `| SSE streams open during the latency run | ${openStreams} |`,
    `| 201 → SSE event, p50 / p99 | ${pct(sseLat, 0.5).toFixed(1)} ms / ${pct(sseLat, 0.99).toFixed(1)} ms |`,
    `| 201 → MQTT subscriber, p50 / p99 | ${pct(mqttLat, 0.5).toFixed(1)} ms / ${pct(mqttLat, 0.99).toFixed(1)} ms |`,
  ];
  const avg = (side: 'on' | 'off', name: string) => mean(cpuPerCreate[side].get(name) ?? [Number.NaN]);
  lines.push('', '| CPU µs per create | push off | push on |', '| --- | --- | --- |');
  for (const name of cpuPerCreate.on.keys())
    lines.push(`| ${name} | ${avg('off', name).toFixed(0)} | ${avg('on', name).toFixed(0)} |`);
  say('');
  for (const line of lines) say(line);
} finally {
  for (const s of streams) s.close();
  await p?.stop();
  await broker.close();
}
