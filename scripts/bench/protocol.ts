// Protocol benchmark: round trips per second with 64 requests in flight on one connection, and sequential
// round-trip latency (p50/p99). The server runs in a child process so client and server do not share a loop.
// Run: npx tsx scripts/bench/protocol.ts — it bundles itself with esbuild first, as the binaries are, so that
// the numbers are those of production code and not of the TypeScript loader.
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProtocolServer, createServiceClient } from '@sogoms/protocol';

const IN_FLIGHT = 64;
const THROUGHPUT_REQUESTS = 400_000;
const LATENCY_REQUESTS = 20_000;

declare const __BUNDLED__: boolean | undefined;

if (typeof __BUNDLED__ === 'undefined') {
  const { build } = await import('esbuild');
  const outDir = mkdtempSync(join(tmpdir(), 'sg-bench-build-'));
  const outfile = join(outDir, 'protocol-bench.mjs');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    define: { __BUNDLED__: 'true' },
    logLevel: 'warning',
  });
  const profile = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const result = spawnSync(process.execPath, [...profile, outfile, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  rmSync(outDir, { recursive: true, force: true });
  process.exit(result.status ?? 1);
} else if (process.argv[2] === 'serve') {
  const server = createProtocolServer({
    socketPath: process.argv[3]!,
    handlers: { echo: (params) => params, health: () => ({ status: 'ok' }) },
  });
  await server.listen();
  // The floor under the sequential latency: the same process echoing one byte, no framing, no JSON.
  const echo = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => echo.listen(`${process.argv[3]}.raw`, resolve));
  process.on('disconnect', () => process.exit(0));
  // The parent asks for this process's CPU time around the measured run.
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuUs: user + system });
  });
  process.send?.('ready');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const socketPath = join(dir, 'bench.sock');
  const child = fork(fileURLToPath(import.meta.url), ['serve', socketPath], {
    execArgv: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [],
  });
  await new Promise((resolve) => child.once('message', resolve));
  const client = createServiceClient({ sockets: [socketPath], connectionsPerSocket: 1, timeoutMs: 10_000 });
  const params = { app_id: 'prokov', query: 'SELECT id, name FROM projects WHERE user_id = ?', args: [42] };

  for (let i = 0; i < 20_000; i++) await client.call('echo', params); // warm-up

  const serverCpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpuUs: number }) => resolve(m.cpuUs));
      child.send('cpu');
    });
  const serverCpuBefore = await serverCpu();
  const clientCpuBefore = process.cpuUsage();
  let sent = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (sent < THROUGHPUT_REQUESTS) {
      sent++;
      await client.call('echo', params);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(THROUGHPUT_REQUESTS / seconds);
  const clientUsage = process.cpuUsage(clientCpuBefore);
  const clientCpuUs = (clientUsage.user + clientUsage.system) / THROUGHPUT_REQUESTS;
  const serverCpuUs = ((await serverCpu()) - serverCpuBefore) / THROUGHPUT_REQUESTS;

  const samples: number[] = [];
  for (let i = 0; i < LATENCY_REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    await client.call('echo', params);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const pct = percentiles(samples);
  const floor = percentiles(await bareRoundTrips(`${socketPath}.raw`, LATENCY_REQUESTS));

  console.log(
    `protocol round trips, ${IN_FLIGHT} in flight on one connection: ${perSecond.toLocaleString('en')} req/s`,
  );
  console.log(
    `CPU per round trip: client ${clientCpuUs.toFixed(1)} µs, server ${serverCpuUs.toFixed(1)} µs ` +
      `(the busier side bounds throughput at ${Math.round(1e6 / Math.max(clientCpuUs, serverCpuUs)).toLocaleString('en')} req/s on an idle core each)`,
  );
  console.log(
    `sequential round trip latency: p50 ${pct(50)} µs, p99 ${pct(99)} µs (${LATENCY_REQUESTS} requests)`,
  );
  console.log(
    `bare socket floor (1 byte echoed, no framing or JSON): p50 ${floor(50)} µs, p99 ${floor(99)} µs`,
  );
  client.close();
  child.disconnect();
  rmSync(dir, { recursive: true, force: true });
}

/** Sorts the samples and returns a percentile reader (µs, one decimal). */
function percentiles(samples: number[]): (p: number) => string {
  samples.sort((a, b) => a - b);
  return (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!.toFixed(1);
}

/** Sequential one-byte round trips over a plain Unix socket, in µs. */
async function bareRoundTrips(path: string, count: number): Promise<number[]> {
  const socket = connect(path);
  await new Promise((resolve) => socket.once('connect', resolve));
  const byte = Buffer.from('x');
  let answered: () => void = () => undefined;
  socket.on('data', () => answered());
  const samples: number[] = [];
  for (let i = 0; i < count + 2_000; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      answered = resolve;
      socket.write(byte);
    });
    if (i >= 2_000) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  socket.destroy();
  return samples;
}
