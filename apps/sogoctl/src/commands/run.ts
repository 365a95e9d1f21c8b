// `sogoctl [run] -config DIR`: load and validate sogoctl.yaml, open the log, take the control socket, then
// start every service and supervise until SIGTERM/SIGINT. Nothing is spawned before all of that succeeded.
import { ConfigError, loadSogoctlConfig, type SogoctlConfig } from '@sogoms/config';
import { VERSION } from '@sogoms/version';
import { createControlServer } from '../supervisor/control.js';
import { SupervisorLog } from '../supervisor/log.js';
import { installSignalHandlers } from '../supervisor/signals.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, errorText, type Io } from './exit-codes.js';

/** How long a crashing supervisor waits for its log to flush before exiting anyway. */
const CRASH_FLUSH_MS = 1_000;
/** In-flight control requests (a `status`) get this long once everything has stopped. */
const CONTROL_DRAIN_MS = 500;

/** Runs the supervisor; resolves with the process exit code once everything has stopped. */
export async function runCommand(configDir: string, io: Io): Promise<number> {
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
    log = await SupervisorLog.open(logFile);
  } catch (err) {
    io.stderr.write(`sogoctl: cannot open log file ${logFile}: ${errorText(err)}\n`);
    return EXIT_FAILURE;
  }
  const supervisor = new Supervisor(config, log);
  const control = createControlServer(controlSocket, supervisor, log);
  try {
    await control.listen();
  } catch (err) {
    log.event(
      'fatal',
      'control_socket',
      `cannot serve the control socket ${controlSocket}: ${errorText(err)}`,
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
    },
  );

  return new Promise<number>((resolve) => {
    installSignalHandlers({
      stop(signal) {
        log.event('info', 'stopping', `${signal}: stopping every service, dependents first`);
        void supervisor.stop().then(async () => {
          await control.close(CONTROL_DRAIN_MS);
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
  });
}
