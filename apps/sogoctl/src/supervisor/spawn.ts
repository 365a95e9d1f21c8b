// Starting one child process and ending it. Children run in their own process group (detached) so that a
// terminal's Ctrl-C reaches only the supervisor, which then stops them in dependency order; signals are sent
// to the whole group so helpers a service forks go down with it.
import { type ChildProcess, spawn } from 'node:child_process';
import { LineSplitter } from './lines.js';
import type { LogSink, StreamName } from './log.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: string;
}

export interface ChildHandle {
  readonly pid: number | undefined;
  /** True once the OS started the process, false when spawning failed. */
  readonly spawned: Promise<boolean>;
  /** Resolves once, when the process is gone (or never started). */
  readonly exited: Promise<ExitInfo>;
  readonly running: boolean;
  signal(sig: NodeJS.Signals): boolean;
}

export interface SpawnOptions {
  service: string;
  instance: number;
  binary: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  log: LogSink;
}

/** Spawns a child whose stdout/stderr lines go to the supervisor log, tagged with service and instance. */
export function spawnChild(opts: SpawnOptions): ChildHandle {
  // The child inherits the supervisor's environment; the service's `env` entries override it.
  const child = spawn(opts.binary, [...opts.args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // A pid exists as soon as spawn() returns when the OS could fork; it is "running" until 'exit'.
  let running = child.pid !== undefined;
  let settle!: (info: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((resolve) => {
    settle = (info) => {
      running = false;
      resolve(info);
    };
  });
  const spawned = new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', (err) => {
      // 'error' without a pid means the process never existed: no 'exit' will follow reliably.
      if (child.pid === undefined) {
        resolve(false);
        settle({ code: null, signal: null, error: err.message });
      }
    });
  });
  child.once('exit', (code, signal) => settle({ code, signal }));
  pipeLines(child, 'stdout', opts);
  pipeLines(child, 'stderr', opts);
  return {
    pid: child.pid,
    spawned,
    exited,
    get running() {
      return running;
    },
    signal: (sig) => (running ? sendSignal(child, sig) : false),
  };
}

function pipeLines(child: ChildProcess, name: StreamName, opts: SpawnOptions): void {
  const stream = child[name];
  if (!stream) return;
  const splitter = new LineSplitter((line) => opts.log.childLine(opts.service, opts.instance, name, line));
  stream.on('data', (chunk: Buffer) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
  stream.on('error', () => splitter.end());
}

function sendSignal(child: ChildProcess, sig: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, sig);
    return true;
  } catch {
    // No such group (the child changed it): fall back to the process itself.
    return child.kill(sig);
  }
}

/** How an instance ended when asked to: did it need SIGKILL, and did it exit at all. */
export interface TerminateResult {
  exit: ExitInfo | undefined;
  killed: boolean;
}

/** Grace after SIGKILL: only a process stuck in the kernel outlives it, and we stop waiting for it. */
export const KILL_WAIT_MS = 5_000;

/** SIGTERM, wait up to stopTimeoutMs, then SIGKILL; resolves when the process is gone. */
export async function terminate(
  handle: ChildHandle,
  stopTimeoutMs: number,
  onEscalate?: () => void,
): Promise<TerminateResult> {
  handle.signal('SIGTERM');
  const first = await within(handle.exited, stopTimeoutMs);
  if (first) return { exit: first, killed: false };
  onEscalate?.();
  handle.signal('SIGKILL');
  return { exit: await within(handle.exited, KILL_WAIT_MS), killed: true };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
