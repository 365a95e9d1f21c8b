// The supervisor proper: owns every instance of every service, starts them in dependency order, stops them in
// reverse order, and answers the control socket's questions. Dependents of a FATAL service that are already
// running keep running (they may degrade gracefully); dependents not started yet wait until it is healthy,
// which an operator's `sogoctl restart` can bring about.
import type { ServiceSpec, SogoctlConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { dependentsOf, transitiveDependents } from './graph.js';
import type { ConfigReport } from './health.js';
import { InstanceRunner, type InstanceState, type LastExit } from './instance.js';
import type { LogSink } from './log.js';

export interface StatusRow {
  service: string;
  instance: number;
  pid: number | null;
  state: InstanceState;
  uptime_s: number | null;
  restarts: number;
  last_exit: LastExit | null;
  /** What the instance's last health answer said of its configuration (null: it did not say). */
  config?: ConfigReport | null;
  /** The version its last health answer gave (null: not known yet). */
  version?: string | null;
  /** The origin of its health_url (the gateway's address), null for a socket-checked service. */
  address?: string | null;
  /** What its last health answer said is wrong behind it: degraded backends, saturated connections. */
  notes?: readonly string[];
}

export interface RestartResult {
  service: string;
  restarted: boolean;
  message: string;
  instances: StatusRow[];
}

interface ServiceRunner {
  spec: ServiceSpec;
  instances: InstanceRunner[];
  started: boolean;
}

export class Supervisor {
  private readonly services = new Map<string, ServiceRunner>();
  private shuttingDown = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: SogoctlConfig,
    private readonly log: LogSink,
  ) {
    for (const spec of config.services) {
      const instances = Array.from(
        { length: spec.instances },
        (_, i) =>
          new InstanceRunner({
            spec,
            instance: i + 1,
            settings: config.supervisor,
            log,
            shuttingDown: () => this.shuttingDown,
            onFatal: (runner) => this.onFatal(runner),
          }),
      );
      this.services.set(spec.name, { spec, instances, started: false });
    }
  }

  /**
   * Starts every service as soon as all instances of everything it depends on have been healthy; independent
   * services start in parallel. Resolves when every instance has been healthy once (never while one is FATAL).
   */
  start(): Promise<void> {
    const t0 = Date.now();
    const launched = new Map<string, Promise<void>>();
    const launch = (name: string): Promise<void> => {
      let p = launched.get(name);
      if (!p) {
        p = this.launchAfterDependencies(name, launch);
        launched.set(name, p);
      }
      return p;
    };
    return Promise.all(this.config.services.map((s) => launch(s.name))).then(() => {
      if (this.shuttingDown) return;
      const n = this.services.size;
      this.log.event('info', 'ready', `all ${n} services healthy in ${Date.now() - t0}ms`, {
        ms: Date.now() - t0,
      });
    });
  }

  private async launchAfterDependencies(
    name: string,
    launch: (name: string) => Promise<void>,
  ): Promise<void> {
    const svc = this.services.get(name)!;
    await Promise.all(svc.spec.dependsOn.map(launch));
    if (this.shuttingDown) return;
    svc.started = true;
    this.log.event('info', 'start', `starting ${svc.instances.length} instance(s)`, { service: name });
    for (const instance of svc.instances) instance.start();
    await Promise.all(svc.instances.map((i) => i.firstHealthy));
  }

  /** Stops everything, dependents before what they depend on; idempotent. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.shuttingDown = true;
    const dependents = dependentsOf(this.config.services);
    const stopped = new Map<string, Promise<void>>();
    const stopOne = (name: string): Promise<void> => {
      let p = stopped.get(name);
      if (!p) {
        const svc = this.services.get(name)!;
        p = Promise.all((dependents.get(name) ?? []).map(stopOne)).then(async () => {
          await Promise.all(svc.instances.map((i) => i.stop()));
        });
        stopped.set(name, p);
      }
      return p;
    };
    this.stopping = Promise.all(this.config.services.map((s) => stopOne(s.name))).then(() => undefined);
    return this.stopping;
  }

  /** Sends a signal to every running child at once (SIGHUP forwarding, SIGKILL on a forced stop). */
  signalAll(sig: NodeJS.Signals): number {
    let count = 0;
    for (const svc of this.services.values()) for (const i of svc.instances) if (i.signal(sig)) count++;
    return count;
  }

  /** Emergency stop: no more restarts, SIGKILL to every child now; returns how many were signalled. */
  abort(): number {
    this.shuttingDown = true;
    return this.signalAll('SIGKILL');
  }

  /** An operator's restart of every instance of one service; also lifts a FATAL state. */
  async restartService(name: string): Promise<RestartResult> {
    const svc = this.services.get(name);
    if (!svc) {
      const services = [...this.services.keys()];
      throw new SogomsError(
        ErrorCode.UNKNOWN_SERVICE,
        `unknown service: ${name.slice(0, 100)} (services: ${services.join(', ')})`,
        { service: name.slice(0, 100), services },
      );
    }
    if (this.shuttingDown) throw new SogomsError(ErrorCode.SERVICE_UNAVAILABLE, 'the supervisor is stopping');
    if (!svc.started) {
      const message = `${name} has not started yet: it waits for ${svc.spec.dependsOn.join(', ')} to be healthy`;
      return { service: name, restarted: false, message, instances: this.rowsOf(svc) };
    }
    this.log.event('info', 'restart_requested', 'restart requested over the control socket', {
      service: name,
    });
    await Promise.all(svc.instances.map((i) => i.restart()));
    const message = `restarted ${svc.instances.length} instance(s) of ${name}`;
    return { service: name, restarted: true, message, instances: this.rowsOf(svc) };
  }

  /**
   * The config files changed: every instance that went FATAL because of them starts again (its dependents
   * waiting for it follow once it is healthy). Returns how many were started.
   */
  configChanged(): number {
    if (this.shuttingDown) return 0;
    let n = 0;
    for (const svc of this.services.values())
      for (const i of svc.instances) if (i.retryAfterConfigChange()) n++;
    return n;
  }

  /** One row per instance, services in file order. */
  status(): StatusRow[] {
    return [...this.services.values()].flatMap((svc) => this.rowsOf(svc));
  }

  private rowsOf(svc: ServiceRunner): StatusRow[] {
    const now = Date.now();
    return svc.instances.map((i) => ({
      service: i.service,
      instance: i.instance,
      pid: i.pid,
      state: i.state,
      uptime_s: i.uptimeSeconds(now),
      restarts: i.restarts,
      last_exit: i.lastExit,
      config: i.config,
      version: i.version,
      address: i.address,
      notes: i.notes,
    }));
  }

  private onFatal(runner: InstanceRunner): void {
    const blocked = transitiveDependents(this.config.services, runner.service).filter(
      (name) => !this.services.get(name)?.started,
    );
    if (blocked.length === 0) return;
    this.log.event(
      'error',
      'blocked',
      `${blocked.join(', ')} will not start until ${runner.service} is healthy`,
      {
        service: runner.service,
        blocked,
      },
    );
  }
}
