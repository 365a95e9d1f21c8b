// sogoway: wiring only — flags, config, logger, service clients, buildGateway, listen, signals.
import { ConfigError, createConfigReloader, loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import { createServiceClient } from '@sogoms/protocol';
import {
  createLogger,
  DEFAULT_CONFIG_DIR,
  EXIT_CONFIG,
  type FlagSpec,
  installSignalHandlers,
  parseFlags,
  type UsageError,
  usage,
} from '@sogoms/runtime';
import { VERSION, versionLine } from '@sogoms/version';
import { buildGateway } from './gateway.js';

const NAME = 'sogoway';
const FLAGS: FlagSpec[] = [
  { name: 'config', description: 'configuration directory', default: DEFAULT_CONFIG_DIR },
  { name: 'port', description: 'HTTP port', default: '8080' },
  { name: 'host', description: 'listen address', default: '0.0.0.0' },
  {
    name: 'rundir',
    description: 'directory of the services’ sockets (sogoms-<svc>.<n>.sock)',
    default: '/run',
  },
  { name: 'log-level', description: 'level of the gateway’s own log', default: 'warn' },
  { name: 'version', description: 'print the version and exit', boolean: true },
  { name: 'help', description: 'print this help and exit', boolean: true },
];
const CLOSE_TIMEOUT_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(EXIT_CONFIG);
}

async function main(): Promise<void> {
  process.title = NAME; // what operators look for with `pgrep -la sogo`
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(process.argv.slice(2), FLAGS);
  } catch (err) {
    fail(`${(err as UsageError).message}\n${usage(NAME, FLAGS)}`);
  }
  if (flags.version) return void process.stdout.write(`${versionLine(NAME)}\n`);
  if (flags.help) return void process.stdout.write(`${usage(NAME, FLAGS)}\n`);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid -port: ${flags.port}`);
  const configDir = String(flags.config);
  const rundir = String(flags.rundir);
  // Per-request logging stays off: the gateway's own log is for warnings and errors (performance).
  const logger = createLogger(NAME, { level: String(flags['log-level']) });

  let config: PlatformConfig;
  try {
    config = loadPlatformConfig(configDir);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const services = {
    db: createServiceClient({ discover: { dir: rundir, service: 'db' } }),
    logs: createServiceClient({ discover: { dir: rundir, service: 'logs' } }),
    smtp: createServiceClient({ discover: { dir: rundir, service: 'smtp' } }),
  };
  const gateway = buildGateway({ config: () => config, services, logger });
  const reloader = createConfigReloader<PlatformConfig>({
    dir: configDir,
    load: loadPlatformConfig,
    apply: (next) => {
      config = next; // requests in flight keep the AppConfig they resolved
      logger.warn({ apps: Object.keys(next.apps) }, 'configuration reloaded');
    },
    onError: (err) =>
      logger.error(
        { problems: err instanceof ConfigError ? err.problems : String(err) },
        'invalid configuration refused, previous one kept',
      ),
  });

  const address = await gateway.listen({ port, host: String(flags.host) });
  logger.warn({ address, config: configDir, rundir, version: VERSION }, `${NAME} listening`);

  installSignalHandlers({
    stop: async (signal) => {
      logger.warn({ signal }, `${NAME} stopping`);
      reloader.close();
      // Stop accepting, let requests in flight finish (bounded), then drop the service connections.
      const timer = setTimeout(() => {
        logger.error('requests still running after the close timeout, exiting');
        process.exit(1);
      }, CLOSE_TIMEOUT_MS);
      await gateway.close();
      clearTimeout(timer);
      for (const client of Object.values(services)) client.close();
      logger.warn(`${NAME} stopped`);
      logger.flush();
    },
    reload: () => {
      logger.warn('SIGHUP: reloading configuration');
      reloader.reload();
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${NAME}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
