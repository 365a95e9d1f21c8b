// The runtime every sogoms-* service shares, so that its main.ts only wires: flags, config, the socket server
// with `health`, reload on SIGHUP and file change, and the ordered shutdown of CONVENTIONS.md.
import { ConfigError, createConfigReloader, loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import { type ActionHandler, createProtocolServer, type ProtocolServer } from '@sogoms/protocol';
import { VERSION, versionLine } from '@sogoms/version';
import { type FlagSpec, type ParsedFlags, parseFlags, UsageError, usage } from './flags.js';
import { createLogger, type Logger } from './logger.js';
import { installSignalHandlers } from './signals.js';

export const DEFAULT_CONFIG_DIR = '/config';
export const SHUTDOWN_DRAIN_MS = 5_000;
/** Exit code for a usage or configuration error, distinct from a crash (1). */
export const EXIT_CONFIG = 2;

export interface ServiceContext {
  config: PlatformConfig;
  configDir: string;
  flags: ParsedFlags;
  logger: Logger;
}

export interface ServiceInstance {
  actions: Record<string, ActionHandler>;
  /** Extra fields for the `health` answer (e.g. each app's database state). */
  health?(): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Called with a new, valid configuration; the old one stays in force if this throws. */
  reload?(config: PlatformConfig): void | Promise<void>;
  close?(): Promise<void>;
}

export interface ServiceDefinition {
  name: string;
  flags?: FlagSpec[];
  create(ctx: ServiceContext): ServiceInstance | Promise<ServiceInstance>;
}

export interface RunningService {
  server: ProtocolServer;
  instance: ServiceInstance;
  reload(): boolean;
  stop(): Promise<void>;
}

const baseFlags = (name: string): FlagSpec[] => [
  { name: 'config', description: 'configuration directory', default: DEFAULT_CONFIG_DIR },
  { name: 'socket', description: 'Unix socket path', default: `/run/${name}.1.sock` },
  { name: 'version', description: 'print the version and exit', boolean: true },
  { name: 'help', description: 'print this help and exit', boolean: true },
];

/** Starts a service from argv without installing signal handlers (tests use this directly). */
export async function startService(
  def: ServiceDefinition,
  argv: readonly string[],
  logger: Logger,
): Promise<RunningService> {
  const spec = [...baseFlags(def.name), ...(def.flags ?? [])];
  const flags = parseFlags(argv, spec);
  const configDir = String(flags.config);
  const config = loadPlatformConfig(configDir);
  const instance = await def.create({ config, configDir, flags, logger });
  const startedAt = Date.now();

  const health: ActionHandler = async () => ({
    status: 'ok',
    service: def.name,
    version: VERSION,
    pid: process.pid,
    uptime_s: Math.floor((Date.now() - startedAt) / 1000),
    ...(instance.health ? await instance.health() : {}),
  });
  const server = createProtocolServer({
    socketPath: String(flags.socket),
    handlers: { ...instance.actions, health },
    logger,
  });
  await server.listen();

  let reloading = Promise.resolve();
  const reloader = createConfigReloader<PlatformConfig>({
    dir: configDir,
    load: loadPlatformConfig,
    apply: (next) => {
      reloading = reloading
        .then(() => instance.reload?.(next))
        .then(
          () => logger.info({ apps: Object.keys(next.apps) }, 'configuration reloaded'),
          (err: unknown) => logger.error({ err }, 'reload failed, previous configuration kept'),
        );
    },
    onError: (err) =>
      logger.error(
        { problems: err instanceof ConfigError ? err.problems : String(err) },
        'invalid configuration refused, previous one kept',
      ),
  });
  logger.info({ socket: flags.socket, config: configDir, version: VERSION }, `${def.name} started`);

  return {
    server,
    instance,
    reload: () => reloader.reload(),
    async stop() {
      // Order: stop accepting and unlink the socket, drain in-flight work, close pools/transports, flush logs.
      await server.close(SHUTDOWN_DRAIN_MS);
      reloader.close();
      await reloading;
      await instance.close?.();
      logger.info(`${def.name} stopped`);
      logger.flush();
    },
  };
}

/** The whole life of a service process: what each apps/sogoms-x/src/main.ts calls. */
export async function runService(
  def: ServiceDefinition,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  // The process name operators look for (`pgrep -la sogo`), instead of "node".
  process.title = def.name;
  const spec = [...baseFlags(def.name), ...(def.flags ?? [])];
  let early: ParsedFlags;
  try {
    early = parseFlags(argv, spec);
  } catch (err) {
    process.stderr.write(`${def.name}: ${(err as Error).message}\n${usage(def.name, spec)}\n`);
    process.exit(EXIT_CONFIG);
  }
  if (early.version) {
    process.stdout.write(`${versionLine(def.name)}\n`);
    return;
  }
  if (early.help) {
    process.stdout.write(`${usage(def.name, spec)}\n`);
    return;
  }
  const logger = createLogger(def.name);
  let running: RunningService;
  try {
    running = await startService(def, argv, logger);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`${def.name}: ${err.message}\n`);
      logger.flush();
      process.exit(EXIT_CONFIG);
    }
    logger.fatal({ err }, `${def.name} failed to start`);
    logger.flush();
    process.exit(1);
  }
  installSignalHandlers({
    stop: async (signal) => {
      logger.info({ signal }, `${def.name} stopping`);
      await running.stop();
    },
    reload: () => {
      logger.info('SIGHUP: reloading configuration');
      running.reload();
    },
  });
}
