// sogoway: wiring only — flags, config, logger, service clients, buildGateway, listen, signals.
import { join } from 'node:path';
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
import { checkQueries, keepRefused, refusedProblems, sameApps } from './apps/query-check.js';
import { buildGateway } from './gateway.js';
import { GatewayMetrics } from './metrics/http-metrics.js';
import { createMetricsServer, DEFAULT_METRICS_HOST } from './metrics/server.js';

const NAME = 'sogoway';
/** How long after listening the queries of every app are prepared on their databases (query-check.ts). */
const START_CHECK_DELAY_MS = 1_000;
const FLAGS: FlagSpec[] = [
  { name: 'config', description: 'configuration directory', default: DEFAULT_CONFIG_DIR },
  { name: 'port', description: 'HTTP port', default: '8080' },
  { name: 'host', description: 'listen address', default: '0.0.0.0' },
  {
    name: 'rundir',
    description: 'directory of the services’ sockets (sogoms-<svc>.<n>.sock)',
    default: '/run',
  },
  {
    name: 'metrics-port',
    description: 'port of GET /metrics (Prometheus), apart from the API; off when empty',
    default: '',
  },
  { name: 'metrics-host', description: 'listen address of the metrics port', default: DEFAULT_METRICS_HOST },
  { name: 'log-level', description: 'level of the gateway’s own log', default: 'info' },
  { name: 'version', description: 'print the version and exit', boolean: true },
  { name: 'help', description: 'print this help and exit', boolean: true },
];
const CLOSE_TIMEOUT_MS = 10_000;
/** The folders the gateway reads besides routes/: the queries, and the templates auth.yaml names (not cron/). */
const CONFIG_PARTS: readonly ConfigPart[] = ['queries', 'emails'];

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
  const metricsPort = flags['metrics-port'] === '' ? undefined : Number(flags['metrics-port']);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535))
    fail(`invalid -metrics-port: ${flags['metrics-port']}`);
  const configDir = String(flags.config);
  const rundir = String(flags.rundir);
  // Per-request logging stays off: the gateway's own log is for warnings and errors (performance).
  const logger = createLogger(NAME, { level: String(flags['log-level']) });

  // The last good configuration is kept in the rundir, one file per listening port (instances differ by port).
  const lastGood = new LastGoodConfig({
    dir: configDir,
    file: join(rundir, `${NAME}.${port}.last-good.json`),
    parts: CONFIG_PARTS,
  });
  const onLastGood = (when: string) =>
    logger.error(
      { config: 'last-good', saved_at: lastGood.savedAt, problems: lastGood.problems.map(formatProblem) },
      `${when}: the configuration files are invalid; SERVING THE LAST GOOD CONFIGURATION (saved ${lastGood.savedAt}) until they are fixed`,
    );
  const commit = (next: PlatformConfig) => {
    const err = lastGood.commit(next);
    if (err)
      logger.warn({ err: err.message }, 'cannot save the last good configuration (no fallback at restart)');
    for (const w of ignoredConfigFiles(configDir, { parts: CONFIG_PARTS }))
      logger.warn({ file: w.file }, w.message);
  };
  let config: PlatformConfig;
  try {
    config = lastGood.start();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  if (lastGood.origin === 'last-good') onLastGood('starting');
  const services = {
    db: createServiceClient({ discover: { dir: rundir, service: 'db' } }),
    logs: createServiceClient({ discover: { dir: rundir, service: 'logs' } }),
    smtp: createServiceClient({ discover: { dir: rundir, service: 'smtp' } }),
    push: createServiceClient({ discover: { dir: rundir, service: 'push' } }),
  };
  const metrics = metricsPort === undefined ? undefined : new GatewayMetrics();
  const gateway = buildGateway({
    config: () => config,
    configState: () => lastGood.health(),
    services,
    logger,
    ...(metrics ? { metrics } : {}),
  });
  let reloadSeq = 0;
  const swap = (next: PlatformConfig): void => {
    const wasLastGood = lastGood.origin === 'last-good';
    // Unchanged apps keep their very same AppConfig: their compiled queries and column types survive.
    const changes = appChanges(config.apps, next.apps);
    config = next; // requests in flight keep the AppConfig they resolved
    commit(next);
    // A routine reload is information, not a warning: shown with `-log-level info`, like the services' own.
    (wasLastGood ? logger.warn : logger.info).call(
      logger,
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
  };
  // Listening comes first: saving the last good configuration and the watchers' first scan of the tree (a stat
  // per file) are work of the running gateway, not of its start.
  const address = await gateway.listen({ port, host: String(flags.host) });
  logger.warn({ address, config: configDir, rundir, version: VERSION }, `${NAME} listening`);
  commit(config);
  const reloader = createConfigReloader<PlatformConfig>({
    dir: configDir,
    folders: watchedFolders(CONFIG_PARTS),
    load: lastGood.load,
    // The changed queries are prepared on their databases first (apps/query-check.ts): an app whose new query
    // does not prepare keeps its previous configuration, and the refusal is logged with file and section.
    apply: (candidate) => {
      const seq = ++reloadSeq;
      void checkQueries(services.db, candidate, config)
        .then((check) => {
          if (seq !== reloadSeq) return; // a newer reload is being checked: it decides
          for (const [app, reason] of check.unchecked)
            logger.warn({ app, reason }, 'queries not prepared before the reload (database unreachable)');
          if (check.refused.size > 0)
            logger.error(
              { apps: [...check.refused.keys()], problems: refusedProblems(check) },
              'invalid configuration refused: a query does not prepare on its database; that app keeps its previous configuration',
            );
          const next = keepRefused(candidate, config, check.refused);
          if (check.refused.size === 0 || !sameApps(config, next)) swap(next);
        })
        .catch((err: unknown) =>
          logger.error({ err: String(err) }, 'reload failed, previous configuration kept'),
        );
    },
    onError: (err) => {
      lastGood.refused(err);
      if (lastGood.origin === 'last-good') return onLastGood('reload refused');
      logger.error(
        { problems: err instanceof ConfigError ? err.problems : String(err) },
        'invalid configuration refused, previous one kept',
      );
    },
  });

  const metricsServer = metrics && createMetricsServer(metrics);
  if (metricsServer) {
    const host = String(flags['metrics-host']);
    const bound = await metricsServer.listen(metricsPort!, host).catch((err: unknown) => {
      fail(`cannot listen on the metrics port ${host}:${metricsPort}: ${(err as Error).message}`);
    });
    logger.warn({ metrics: `http://${bound.address}:${bound.port}/metrics` }, 'metrics listening');
  }
  // A moment after start, not during it: the check keeps sogoms-db busy (every statement of every app), and the
  // first health answers of the start-up would wait behind it.
  setTimeout(() => {
    void checkQueries(services.db, config).then((check) => {
      for (const [app, reason] of check.unchecked)
        logger.warn({ app, reason }, 'queries not prepared at start (database unreachable): not checked');
      if (check.refused.size > 0)
        logger.error(
          { apps: [...check.refused.keys()], problems: refusedProblems(check) },
          'queries that do not prepare on their database: they answer 500 DB_ERROR until fixed',
        );
    });
  }, START_CHECK_DELAY_MS).unref();

  installSignalHandlers({
    stop: async (signal) => {
      logger.warn({ signal }, `${NAME} stopping`);
      reloader.close();
      // Stop accepting, let requests in flight finish (bounded), then drop the service connections.
      const timer = setTimeout(() => {
        logger.error('requests still running after the close timeout, exiting');
        process.exit(1);
      }, CLOSE_TIMEOUT_MS);
      await Promise.all([gateway.close(), metricsServer?.close()]);
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
