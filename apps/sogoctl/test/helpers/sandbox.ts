// A temporary directory with a sogoctl.yaml made of fixture services, and the built bin/sogoctl run on it.
// Fixtures append {name, event, pid, t} lines to one record file: the tests read starts, stops and signals
// from it, and cleanup kills every pid it names, so no test leaves a process behind even when it fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt as buildIfStale } from '../../../../tests/helpers/build.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SOGOCTL = join(ROOT, 'bin', 'sogoctl');
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Builds the binaries when bin/sogoctl is missing or stale (`pnpm test` always builds first). */
export function ensureBuilt(): void {
  buildIfStale('sogoctl');
}

export interface ServiceDef {
  fixture: 'health-service' | 'exit-at-once' | 'ignore-term' | 'goes-unhealthy' | 'chatty' | 'http-service';
  args?: string[];
  /** Serve and check `health` on a socket in the sandbox (default: true for the socket fixtures). */
  socket?: boolean;
  healthUrl?: string;
  /** The binary to run instead of node + fixture (for spawn failures). */
  binary?: string;
  dependsOn?: string[];
  instances?: number;
  env?: Record<string, string>;
}

export interface RecordLine {
  name: string;
  event: string;
  pid: number;
  t: number;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running bin/sogoctl with its captured output. */
export class SogoctlRun {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private done = false;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => {
      this.stdout += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString('utf8');
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return !this.done;
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }
}

const SUPERVISOR_DEFAULTS = {
  health_interval: '200ms',
  restart_delay: '100ms',
  max_restarts: 5,
  restart_window: '60s',
  stop_timeout: '2s',
  start_timeout: '10s',
};

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'sg-'));
  readonly recordFile = join(this.dir, 'record.jsonl');
  readonly logFile = join(this.dir, 'log', 'sogoctl.log');
  readonly controlSocket = join(this.dir, 'ctl.sock');
  private readonly runs: SogoctlRun[] = [];

  /** The health socket of a service instance ({n} left in when no instance is given). */
  socketOf(service: string, instance?: number): string {
    return join(this.dir, `${service}.${instance ?? '{n}'}.sock`);
  }

  /** Writes sogoctl.yaml (as JSON, which is YAML too) for the given fixture services. */
  writeConfig(services: Record<string, ServiceDef>, supervisor: Record<string, unknown> = {}): void {
    const entries = Object.entries(services).map(([name, def]) => {
      const instances = def.instances ?? 1;
      const useSocket = def.socket ?? ['health-service', 'goes-unhealthy'].includes(def.fixture);
      const args = [join(FIXTURES, `${def.fixture}.mjs`), '--name', instances > 1 ? `${name}.{n}` : name];
      args.push('--record', this.recordFile);
      if (useSocket) args.push('--socket', this.socketOf(name));
      const entry: Record<string, unknown> = {
        binary: def.binary ?? process.execPath,
        args: [...args, ...(def.args ?? [])],
      };
      if (useSocket) entry['health_socket'] = this.socketOf(name);
      if (def.healthUrl) entry['health_url'] = def.healthUrl;
      if (def.dependsOn) entry['depends_on'] = def.dependsOn;
      if (def.instances) entry['instances'] = def.instances;
      if (def.env) entry['env'] = def.env;
      return [name, entry];
    });
    const config = {
      supervisor: {
        ...SUPERVISOR_DEFAULTS,
        log_file: this.logFile,
        control_socket: this.controlSocket,
        ...supervisor,
      },
      services: Object.fromEntries(entries),
    };
    writeFileSync(join(this.dir, 'sogoctl.yaml'), JSON.stringify(config, null, 2));
  }

  /** Starts bin/sogoctl; by default in the original's spelling `sogoctl -config DIR`. */
  start(args: string[] = ['-config', this.dir], env: Record<string, string> = {}): SogoctlRun {
    const merged = { ...process.env, ...env };
    const run = new SogoctlRun(spawn(SOGOCTL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: merged }));
    this.runs.push(run);
    return run;
  }

  records(): RecordLine[] {
    return readJsonLines(this.recordFile) as RecordLine[];
  }

  /** Records of one fixture name and event. */
  events(name: string, event: string): RecordLine[] {
    return this.records().filter((r) => r.name === name && r.event === event);
  }

  logLines(): Record<string, unknown>[] {
    return readJsonLines(this.logFile);
  }

  /** Kills whatever is still running (sogoctl and every recorded child) and removes the directory. */
  async cleanup(): Promise<void> {
    for (const run of this.runs) if (run.running) run.signal('SIGKILL');
    await Promise.all(this.runs.map((r) => r.exited));
    for (const r of this.records()) if (alive(r.pid)) process.kill(r.pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whole lines only: a line still being written (no newline yet) is left for the next read. */
function readJsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until fn returns a truthy value; fails with `what` after a generous deadline. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a short sogoctl command (status, restart, check, --version) to completion. */
export function runSogoctl(args: string[]): Promise<CliResult> {
  const run = new SogoctlRun(spawn(SOGOCTL, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  return run.exited.then(({ code }) => ({ code, stdout: run.stdout, stderr: run.stderr }));
}
