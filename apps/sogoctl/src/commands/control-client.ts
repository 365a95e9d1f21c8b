// `sogoctl status` and `sogoctl restart NAME`: ask the running supervisor over its control socket.
import {
  ConfigError,
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_STOP_TIMEOUT_MS,
  loadSogoctlConfig,
} from '@sogoms/config';
import { callOnce, ErrorCode, SogomsError } from '@sogoms/protocol';
import { KILL_WAIT_MS } from '../supervisor/spawn.js';
import { asStatusRows, formatStatusTable } from '../supervisor/status.js';
import type { RestartResult } from '../supervisor/supervisor.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, errorText, type Io } from './exit-codes.js';

export const STATUS_TIMEOUT_MS = 5_000;
/** A restart waits for the old processes to stop: leave room for stop_timeout plus the SIGKILL grace. */
const RESTART_MARGIN_MS = 5_000;

interface Target {
  socket: string;
  stopTimeoutMs: number;
}

function targetOf(configDir: string | undefined, io: Io): Target | undefined {
  if (configDir === undefined)
    return { socket: DEFAULT_CONTROL_SOCKET, stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS };
  try {
    const { supervisor } = loadSogoctlConfig(configDir);
    return { socket: supervisor.controlSocket, stopTimeoutMs: supervisor.stopTimeoutMs };
  } catch (err) {
    io.stderr.write(`sogoctl: ${errorText(err)}\n`);
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

function reportCallError(err: unknown, socket: string, io: Io): number {
  if (
    err instanceof SogomsError &&
    err.code !== ErrorCode.SERVICE_UNAVAILABLE &&
    err.code !== ErrorCode.TIMEOUT
  ) {
    io.stderr.write(`sogoctl: ${err.message} (${err.code})\n`);
  } else {
    io.stderr.write(`sogoctl: no supervisor answers on ${socket}: ${errorText(err)}\n`);
  }
  return EXIT_FAILURE;
}

/** Prints the supervisor's status table. */
export async function statusCommand(configDir: string | undefined, io: Io): Promise<number> {
  const target = targetOf(configDir, io);
  if (!target) return EXIT_CONFIG;
  let answer: unknown;
  try {
    answer = await callOnce(target.socket, 'status', {}, STATUS_TIMEOUT_MS);
  } catch (err) {
    return reportCallError(err, target.socket, io);
  }
  io.stdout.write(`${formatStatusTable(asStatusRows(answer))}\n`);
  return EXIT_OK;
}

/** Restarts every instance of one service and prints the outcome. */
export async function restartCommand(name: string, configDir: string | undefined, io: Io): Promise<number> {
  const target = targetOf(configDir, io);
  if (!target) return EXIT_CONFIG;
  let answer: RestartResult;
  try {
    const timeout = target.stopTimeoutMs + KILL_WAIT_MS + RESTART_MARGIN_MS;
    answer = (await callOnce(target.socket, 'restart', { name }, timeout)) as RestartResult;
  } catch (err) {
    return reportCallError(err, target.socket, io);
  }
  io.stdout.write(`${answer.message}\n${formatStatusTable(asStatusRows(answer.instances))}\n`);
  return answer.restarted ? EXIT_OK : EXIT_FAILURE;
}
