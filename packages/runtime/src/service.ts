// The runtime every sogoms-* service shares, so that its main.ts only wires: flags, config, the socket server
// with `health`, reload on SIGHUP and file change, and the ordered shutdown of CONVENTIONS.md.
import {
  appChanges,
  ConfigError,
  type ConfigPart,
  createConfigReloader,
  formatProblem,
  ignoredConfigFiles,
  LastGoodConfig,
  type PlatformConfig,
  watchedFolders,
} from '@sogoms/config';
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
  /**
   * The folders of the config tree the service reads besides routes/ (default: all). It loads, validates and
   * watches only those: an edit elsewhere does not reload it.
   */
  config?: readonly ConfigPart[];
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
  const socketPath = String(flags.socket);
  const parts = def.config;
  const lastGood = new LastGoodConfig({ dir: configDir, file: lastGoodFile(socketPath), parts });
  const config = lastGood.start();
  let current = config;
  if (lastGood.origin === 'last-good') logLastGood(logger, lastGood, 'starting');
  const instance = await def.create({ config, configDir, flags, logger });
  const startedAt = Date.now();

  const health: ActionHandler = async () => ({
    status: 'ok',
    service: def.name,
    version: VERSION,
    pid: process.pid,
    uptime_s: Math.floor((Date.now() - startedAt) / 1000),
    ...lastGood.health(),
    ...(instance.health ? await instance.health() : {}),
  });
  const server = createProtocolServer({
    socketPath,
    handlers: { ...instance.actions, health },
    logger,
  });
  await server.listen();
  // After listening: the services started after this one wait for its health answer, not for these.
  warnIgnoredFiles(logger, configDir, parts);
  commitLastGood(logger, lastGood, config);

  let reloading = Promise.resolve();
  const reloader = createConfigReloader<PlatformConfig>({
    dir: configDir,
    folders: watchedFolders(parts),
    load: lastGood.load,
    apply: (next) => {
      reloading = reloading
        .then(() => instance.reload?.(next))
        .then(
          () => {
            const wasLastGood = lastGood.origin === 'last-good';
            // Which apps this reload read again; the others keep their very same config objects.
            const changes = appChanges(current.apps, next.apps);
            current = next;
            commitLastGood(logger, lastGood, next);
            warnIgnoredFiles(logger, configDir, parts);
            logger.info(
              {
                apps: Object.keys(next.apps).length,
                reloaded: changes.changed,
                added: changes.added,
                removed: changes.removed,
              },
              wasLastGood
                ? 'configuration reloaded: the files are valid again, last good configuration left'
                : 'configuration reloaded',
            );
          },
          (err: unknown) => logger.error({ err }, 'reload failed, previous configuration kept'),
        );
    },
    onError: (err) => {
      lastGood.refused(err);
      if (lastGood.origin === 'last-good') return logLastGood(logger, lastGood, 'reload refused');
      logger.error(
        { problems: err instanceof ConfigError ? err.problems : String(err) },
        'invalid configuration refused, previous one kept',
      );
    },
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

/** Where a service keeps its last good configuration: beside its socket (/run in production, var/run in dev). */
export function lastGoodFile(socketPath: string): string {
  return `${socketPath.replace(/\.sock$/, '')}.last-good.json`;
}

/** The loud line of a service running on its last good configuration (at start, and on each refused reload). */
function logLastGood(logger: Logger, lastGood: LastGoodConfig, when: string): void {
  logger.error(
    { config: 'last-good', saved_at: lastGood.savedAt, problems: lastGood.problems.map(formatProblem) },
    `${when}: the configuration files are invalid; SERVING THE LAST GOOD CONFIGURATION (saved ${lastGood.savedAt}) until they are fixed`,
  );
}

function commitLastGood(logger: Logger, lastGood: LastGoodConfig, config: PlatformConfig): void {
  const err = lastGood.commit(config);
  if (err)
    logger.warn({ err: err.message }, 'cannot save the last good configuration (no fallback at restart)');
}

/** Files of the tree the loader skips (notes.yml…) are said, never skipped silently. */
function warnIgnoredFiles(logger: Logger, configDir: string, parts?: readonly ConfigPart[]): void {
  for (const w of ignoredConfigFiles(configDir, { parts })) logger.warn({ file: w.file }, w.message);
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
