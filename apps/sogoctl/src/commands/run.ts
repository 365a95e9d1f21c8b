// `sogoctl [run] -config DIR`: load and validate sogoctl.yaml, open the log, take the control socket, then
// start every service and supervise until SIGTERM/SIGINT. Nothing is spawned before all of that succeeded.
import { dirname } from 'node:path';
import {
  ConfigError,
  type ConfigReloader,
  createConfigReloader,
  loadSogoctlConfig,
  type SogoctlConfig,
} from '@sogoms/config';
import { callOnce } from '@sogoms/protocol';
import { VERSION } from '@sogoms/version';
import { ConsoleReporter } from '../supervisor/console.js';
import { createControlServer } from '../supervisor/control.js';
import { SupervisorLog } from '../supervisor/log.js';
import { startSupervisorMetrics } from '../supervisor/metrics-start.js';
import { installSignalHandlers } from '../supervisor/signals.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, errorText, type Io } from './exit-codes.js';

/** How long a crashing supervisor waits for its log to flush before exiting anyway. */
const CRASH_FLUSH_MS = 1_000;
/** In-flight control requests (a `status`) get this long once everything has stopped. */
const CONTROL_DRAIN_MS = 500;

/** How long the pid of a supervisor already serving the control socket is asked for. */
const RUNNING_PID_TIMEOUT_MS = 2_000;

export interface RunOptions {
  /** Short human lines on the console instead of JSON events (default: when stderr is a terminal). */
  console?: boolean;
}

/** Runs the supervisor; resolves with the process exit code once everything has stopped. */
export async function runCommand(configDir: string, io: Io, opts: RunOptions = {}): Promise<number> {
  let config: SogoctlConfig;
  try {
    config = loadSogoctlConfig(configDir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`sogoctl: ${err.message}\n`);
    return EXIT_CONFIG;
  }
  const { logFile, controlSocket } = config.supervisor;
  let log: SupervisorLog;
  try {
    const human = opts.console ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
    const reporter = human
      ? new ConsoleReporter({
          out: (line) => io.stdout.write(`${line}\n`),
          err: (line) => io.stderr.write(`${line}\n`),
        })
      : undefined;
    log = await SupervisorLog.open(logFile, { console: reporter });
  } catch (err) {
    io.stderr.write(`sogoctl: cannot open log file ${logFile}: ${errorText(err)}\n`);
    return EXIT_FAILURE;
  }
  const supervisor = new Supervisor(config, log);
  const control = createControlServer(controlSocket, supervisor, log);
  try {
    await control.listen();
  } catch (err) {
    const pid = await runningPid(controlSocket);
    log.event(
      'fatal',
      'control_socket',
      pid === undefined
        ? `cannot serve the control socket ${controlSocket}: ${errorText(err)}`
        : `already running (pid ${pid}): its control socket is ${controlSocket}`,
      pid === undefined ? {} : { running_pid: pid },
    );
    await log.close();
    return EXIT_FAILURE;
  }
  log.event(
    'info',
    'starting',
    `sogoctl ${VERSION} (pid ${process.pid}): ${config.services.length} services`,
    {
      pid: process.pid,
      version: VERSION,
      config: config.file,
      log_file: logFile,
    },
  );
  const metrics = await startSupervisorMetrics(config, supervisor, log);
  if (metrics === false) {
    await control.close(CONTROL_DRAIN_MS);
    await log.close();
    return EXIT_FAILURE;
  }
  // A service that went FATAL because of its configuration starts again when the config files change. Set up
  // once the first services are spawned: its first scan stats every file of the tree (1,500 files at 100 apps),
  // which the first spawn need not wait for.
  let watcher: ConfigReloader | undefined;
  const watchConfig = () => {
    watcher = createConfigReloader<null>({
      dir: dirname(config.file),
      load: () => null,
      apply: () => {
        supervisor.configChanged();
      },
      onError: (err) => log.event('warn', 'config_watch', `cannot watch the config files: ${errorText(err)}`),
    });
  };

  let watchSoon: NodeJS.Timeout | undefined;
  return new Promise<number>((resolve) => {
    installSignalHandlers({
      stop(signal) {
        log.event('info', 'stopping', `${signal}: stopping every service, dependents first`);
        clearTimeout(watchSoon);
        watcher?.close();
        void supervisor.stop().then(async () => {
          await Promise.all([control.close(CONTROL_DRAIN_MS), metrics?.close()]);
          log.event('info', 'stopped', 'every service stopped');
          await log.close();
          resolve(EXIT_OK);
        });
      },
      force(signal) {
        const n = supervisor.signalAll('SIGKILL');
        log.event('warn', 'force', `${signal} again: sent SIGKILL to ${n} process(es)`);
      },
      hangup() {
        const n = supervisor.signalAll('SIGHUP');
        log.event('info', 'sighup', `SIGHUP forwarded to ${n} process(es)`);
        // Also reopen the log file, so an external rotation that moved it away takes effect.
        log
          .reopen()
          .catch((err) => log.event('error', 'log_reopen', `cannot reopen ${logFile}: ${errorText(err)}`));
      },
      crash(err) {
        // Children must never outlive the supervisor: kill them first, then report and leave.
        const n = supervisor.abort();
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log.event('fatal', 'crash', `supervisor error, killed ${n} process(es): ${detail}`);
        setTimeout(() => process.exit(EXIT_FAILURE), CRASH_FLUSH_MS);
        void log.close().finally(() => process.exit(EXIT_FAILURE));
      },
    });
    // Last resort on any other way out (process.exit from a dependency): no orphan is left behind.
    process.on('exit', () => supervisor.abort());
    void supervisor.start();
    watchSoon = setTimeout(watchConfig, 0);
  });
}

/** The pid of the supervisor answering on the control socket, if one does. */
async function runningPid(socket: string): Promise<number | undefined> {
  try {
    const answer = (await callOnce(socket, 'health', {}, RUNNING_PID_TIMEOUT_MS)) as { pid?: unknown };
    return typeof answer.pid === 'number' ? answer.pid : undefined;
  } catch {
    return undefined;
  }
}
