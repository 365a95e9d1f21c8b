// One instance of one service: spawn it, have it watched until healthy and after, restart it when it exits or
// fails its health checks, give up (FATAL) when that happens too often, and stop it on request. Callbacks
// carry the generation of the process they were set up for, so news about an old process never touches a
// newer one.
import type { ServiceSpec, SupervisorSettings } from '@sogoms/config';
import { type ExitReason, OutputTail } from './exit-reason.js';
import { describeExit, formatMs } from './format.js';
import { type ConfigReport, createHealthCheck, type HealthCheck, type HealthResult } from './health.js';
import { HEALTH_FAILURES_BEFORE_RESTART, HealthWatch } from './health-watch.js';
import type { Level, LogSink } from './log.js';
import { RestartPolicy } from './restart.js';
import { type ChildHandle, type ExitInfo, spawnChild, terminate } from './spawn.js';

export type InstanceState =
  | 'waiting' // not started yet: its dependencies have not all been healthy
  | 'starting'
  | 'healthy'
  | 'unhealthy'
  | 'restarting'
  | 'stopping'
  | 'stopped'
  | 'fatal';

export interface LastExit {
  code: number | null;
  signal: string | null;
  at: string;
  error?: string;
  /** Why, from the process's last lines (see exit-reason.ts). */
  reason?: string;
}

/** Exit code of the sogoms services when their configuration (or command line) is invalid. */
export const SERVICE_EXIT_CONFIG = 2;

/** {n} in args, health target and env values becomes the instance number. */
export function expandInstance(text: string, n: number): string {
  return text.replaceAll('{n}', String(n));
}

export interface InstanceDeps {
  spec: ServiceSpec;
  instance: number;
  settings: SupervisorSettings;
  log: LogSink;
  /** True once the supervisor is shutting down: an exit then ends the instance instead of restarting it. */
  shuttingDown: () => boolean;
  onFatal: (runner: InstanceRunner) => void;
}

export class InstanceRunner {
  state: InstanceState = 'waiting';
  restarts = 0;
  lastExit: LastExit | null = null;
  /** The configuration the running process said it serves in its last health answer (null: not said). */
  config: ConfigReport | null = null;
  /** The version the running process gave in its last health answer. */
  version: string | null = null;
  /** What its last health answer said is wrong behind it (empty: nothing). */
  notes: readonly string[] = [];
  /** Why the last process exited, when it said (kept while FATAL). */
  lastReason: ExitReason | undefined;
  /** Resolves the first time the instance is healthy. */
  readonly firstHealthy: Promise<void>;
  private markFirstHealthy!: () => void;
  private handle: ChildHandle | undefined;
  private watch: HealthWatch | undefined;
  private generation = 0;
  private spawnedAt = 0;
  private healthyAt: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly check: HealthCheck | undefined;
  private tail = new OutputTail();
  private readonly policy: RestartPolicy;
  private readonly args: string[];
  private readonly env: Record<string, string>;

  constructor(private readonly deps: InstanceDeps) {
    const { spec, instance, settings } = deps;
    this.firstHealthy = new Promise((resolve) => {
      this.markFirstHealthy = resolve;
    });
    this.args = spec.args.map((a) => expandInstance(a, instance));
    this.env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, expandInstance(v, instance)]));
    this.check = createHealthCheck({
      healthSocket: spec.healthSocket === undefined ? undefined : expandInstance(spec.healthSocket, instance),
      healthUrl: spec.healthUrl === undefined ? undefined : expandInstance(spec.healthUrl, instance),
    });
    this.policy = new RestartPolicy(settings);
  }

  get service(): string {
    return this.deps.spec.name;
  }

  get instance(): number {
    return this.deps.instance;
  }

  get pid(): number | null {
    return this.handle?.running ? (this.handle.pid ?? null) : null;
  }

  /** Where the service answers HTTP (the origin of its health_url: the gateway's address), or null. */
  get address(): string | null {
    const url = this.deps.spec.healthUrl;
    if (url === undefined) return null;
    try {
      return new URL(expandInstance(url, this.instance)).origin;
    } catch {
      return null;
    }
  }

  /** Seconds since the current process was spawned, or null when none runs. */
  uptimeSeconds(now = Date.now()): number | null {
    return this.pid === null ? null : Math.floor((now - this.spawnedAt) / 1000);
  }

  /** Spawns the process and starts watching it. */
  start(): void {
    this.quiet();
    const gen = ++this.generation;
    const { spec, instance, log } = this.deps;
    const tail = new OutputTail();
    this.tail = tail;
    const handle = spawnChild({
      service: spec.name,
      instance,
      binary: spec.binary,
      args: this.args,
      env: this.env,
      // Every line still goes to the log; the last ones are also kept to say why the process exited.
      log: {
        event: (...args) => log.event(...args),
        childLine: (service, n, stream, text) => {
          tail.push(stream, text);
          log.childLine(service, n, stream, text);
        },
      },
    });
    this.handle = handle;
    this.state = 'starting';
    this.spawnedAt = Date.now();
    this.healthyAt = undefined;
    this.config = null;
    this.version = null;
    this.notes = [];
    void handle.exited.then((info) => this.onExit(gen, info));
    void handle.spawned.then((ok) => {
      if (!ok || gen !== this.generation) return;
      this.event('info', 'spawned', `spawned pid ${handle.pid}`, { pid: handle.pid });
      if (!this.check) return this.onHealthy(0);
      this.watch = new HealthWatch(this.check, this.deps.settings, {
        healthy: (ms) => this.onHealthy(ms),
        failed: (n, detail) => {
          this.state = 'unhealthy';
          const msg = `health check failed (${n}/${HEALTH_FAILURES_BEFORE_RESTART}): ${detail}`;
          this.event('warn', 'health_failed', msg, { pid: handle.pid });
        },
        recovered: () => {
          this.state = 'healthy';
          this.event('info', 'recovered', 'health check passes again', { pid: handle.pid });
        },
        giveUp: (reason) => this.kill(gen, reason),
        answered: (res) => this.onAnswer(gen, res),
      });
      this.watch.start();
    });
  }

  /** Stops the process for good (SIGTERM, then SIGKILL after stop_timeout); cancels any pending restart. */
  async stop(): Promise<void> {
    this.quiet();
    this.generation++; // the running process's exit is handled here, not by onExit
    const handle = this.handle;
    if (!handle?.running) {
      this.handle = undefined;
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.event('info', 'stopping', `stopping pid ${handle.pid}`, { pid: handle.pid });
    const { stopTimeoutMs } = this.deps.settings;
    const result = await terminate(handle, stopTimeoutMs, () => {
      const msg = `pid ${handle.pid} still running after ${formatMs(stopTimeoutMs)}: SIGKILL`;
      this.event('warn', 'kill', msg, { pid: handle.pid });
    });
    this.lastReason = undefined; // asked to stop: whatever it said last is not why
    if (result.exit) this.recordExit(result.exit);
    else this.event('error', 'stuck', `pid ${handle.pid} survived SIGKILL`, { pid: handle.pid });
    if (this.handle === handle) this.handle = undefined;
    this.state = 'stopped';
    this.event('info', 'stopped', `stopped (${describeExit(result.exit)})`, { pid: handle.pid });
  }

  /** An operator's restart: stop if running, forget past failures (also a FATAL state), start again. */
  async restart(): Promise<void> {
    await this.stop();
    if (this.deps.shuttingDown()) return;
    this.policy.reset();
    this.restarts++;
    this.event('info', 'restart', 'restarting on request');
    this.start();
  }

  /** FATAL because the configuration was invalid (the service exited with code 2, or printed its problems). */
  get fatalFromConfig(): boolean {
    return (
      this.state === 'fatal' &&
      (this.lastExit?.code === SERVICE_EXIT_CONFIG || this.lastReason?.problems !== undefined)
    );
  }

  /** The config files changed: a FATAL caused by them is lifted and the process started again. */
  retryAfterConfigChange(): boolean {
    if (!this.fatalFromConfig || this.deps.shuttingDown()) return false;
    this.policy.reset();
    this.restarts++;
    this.event(
      'info',
      'config_retry',
      'the config files changed: starting again (was FATAL because of them)',
    );
    this.start();
    return true;
  }

  /** Sends a signal to the running process (SIGHUP forwarding, SIGKILL on abort). */
  signal(sig: NodeJS.Signals): boolean {
    return this.handle?.running ? this.handle.signal(sig) : false;
  }

  private onHealthy(afterMs: number): void {
    this.state = 'healthy';
    this.healthyAt = Date.now();
    this.event('info', 'healthy', `healthy after ${afterMs}ms`, { pid: this.handle?.pid });
    this.markFirstHealthy();
  }

  /** Keeps the config state a health answer gives, and logs when it moves to or from the last good one. */
  private onAnswer(gen: number, res: HealthResult): void {
    if (gen !== this.generation) return;
    if (res.version) this.version = res.version;
    this.notes = res.notes ?? [];
    const before = this.config?.state;
    this.config = res.config ?? null;
    const now = this.config?.state;
    if (now === before) return;
    const pid = this.handle?.pid;
    if (now === 'last-good')
      this.event(
        'error',
        'last_good_config',
        `serving its LAST GOOD configuration (saved ${this.config?.saved_at ?? '?'}): the config files are invalid`,
        { pid, problems: this.config?.problems ?? [] },
      );
    else if (before === 'last-good')
      this.event('info', 'live_config', 'serving the config files again', { pid });
  }

  /** Kills a process judged unhealthy; its exit then takes the restart path. */
  private kill(gen: number, reason: string): void {
    const handle = this.handle;
    if (gen !== this.generation || !handle) return;
    this.state = 'unhealthy';
    this.event('error', 'unhealthy', `${reason}: killing pid ${handle.pid}`, { pid: handle.pid });
    void terminate(handle, this.deps.settings.stopTimeoutMs);
  }

  private onExit(gen: number, info: ExitInfo): void {
    if (gen !== this.generation) return;
    this.quiet();
    const pid = this.handle?.pid;
    this.handle = undefined;
    this.lastReason = info.error ? undefined : this.tail.reason();
    this.recordExit(info);
    const healthyFor = this.healthyAt === undefined ? 0 : Date.now() - this.healthyAt;
    const why = this.lastReason ? `: ${this.lastReason.reason}` : '';
    const what = info.error ? `failed to start: ${info.error}` : `exited (${describeExit(info)})${why}`;
    this.event('warn', 'exited', what, {
      pid,
      code: info.code,
      signal: info.signal,
      ...(this.lastReason ?? {}),
    });
    if (this.deps.shuttingDown()) {
      this.state = 'stopped';
      return;
    }
    const decision = this.policy.onFailure(Date.now(), healthyFor);
    if (decision.fatal) {
      this.state = 'fatal';
      const { maxRestarts, restartWindowMs } = this.deps.settings;
      const why = this.lastReason?.reason ?? this.lastExit?.error;
      const msg = `FATAL: more than ${maxRestarts} restarts within ${formatMs(restartWindowMs)}; staying down${why ? `: ${why}` : ''}`;
      this.event('fatal', 'fatal', msg, {
        restarts: this.restarts,
        config_problem: this.fatalFromConfig,
        ...(why ? { reason: why } : {}),
      });
      this.deps.onFatal(this);
      return;
    }
    this.state = 'restarting';
    this.event('info', 'restarting', `restarting in ${decision.delayMs}ms`, { delay_ms: decision.delayMs });
    this.restartTimer = setTimeout(() => {
      if (gen !== this.generation || this.deps.shuttingDown()) return;
      this.restarts++;
      this.start();
    }, decision.delayMs);
  }

  private recordExit(info: ExitInfo): void {
    this.lastExit = { code: info.code, signal: info.signal, at: new Date().toISOString() };
    if (info.error) this.lastExit.error = info.error;
    else if (this.lastReason) this.lastExit.reason = this.lastReason.reason;
  }

  /** Cancels the health watch and any pending restart. */
  private quiet(): void {
    this.watch?.stop();
    this.watch = undefined;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private event(level: Level, event: string, msg: string, fields: Record<string, unknown> = {}): void {
    this.deps.log.event(level, event, msg, { service: this.service, instance: this.instance, ...fields });
  }
}
