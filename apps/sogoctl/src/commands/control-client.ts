// `sogoctl status` and `sogoctl restart NAME`: ask the running supervisor over its control socket.
import {
  ConfigError,
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_STOP_TIMEOUT_MS,
  findConfigDir,
  loadSogoctlConfig,
} from '@sogoms/config';
import { callOnce } from '@sogoms/protocol';
import { KILL_WAIT_MS } from '../supervisor/spawn.js';
import { asStatusRows, formatStatusTable } from '../supervisor/status.js';
import type { RestartResult } from '../supervisor/supervisor.js';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, errorText, type Io, reportCallError } from './exit-codes.js';

export const STATUS_TIMEOUT_MS = 5_000;
/** A restart waits for the old processes to stop: leave room for stop_timeout plus the SIGKILL grace. */
const RESTART_MARGIN_MS = 5_000;

interface Target {
  socket: string;
  stopTimeoutMs: number;
}

function targetOf(flag: string | undefined, io: Io): Target | undefined {
  // -config, $SOGOMS_CONFIG, ./config/dev, /opt/sogoms/config; with none of them, the default socket.
  const found = findConfigDir(flag);
  if (found === undefined) return { socket: DEFAULT_CONTROL_SOCKET, stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS };
  try {
    const { supervisor } = loadSogoctlConfig(found.dir);
    return { socket: supervisor.controlSocket, stopTimeoutMs: supervisor.stopTimeoutMs };
  } catch (err) {
    io.stderr.write(`sogoctl: ${errorText(err)}\n`);
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/**
 * Prints the supervisor's status table; with `json`, one JSON object: `{supervisor: {pid, version, uptime_s,
 * control_socket}, instances: [rows]}`.
 */
export async function statusCommand(
  configDir: string | undefined,
  io: Io,
  opts: { json?: boolean } = {},
): Promise<number> {
  const target = targetOf(configDir, io);
  if (!target) return EXIT_CONFIG;
  let answer: unknown;
  let health: { pid?: unknown; version?: unknown; uptime_s?: unknown } = {};
  try {
    answer = await callOnce(target.socket, 'status', {}, STATUS_TIMEOUT_MS);
    if (opts.json) health = (await callOnce(target.socket, 'health', {}, STATUS_TIMEOUT_MS)) as typeof health;
  } catch (err) {
    return reportCallError(err, target.socket, io, 'no supervisor answers');
  }
  const rows = asStatusRows(answer);
  if (opts.json) {
    const supervisor = {
      pid: health.pid,
      version: health.version,
      uptime_s: health.uptime_s,
      control_socket: target.socket,
    };
    io.stdout.write(`${JSON.stringify({ supervisor, instances: rows })}\n`);
    return EXIT_OK;
  }
  io.stdout.write(`${formatStatusTable(rows)}\n`);
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
    return reportCallError(err, target.socket, io, 'no supervisor answers');
  }
  io.stdout.write(`${answer.message}\n${formatStatusTable(asStatusRows(answer.instances))}\n`);
  return answer.restarted ? EXIT_OK : EXIT_FAILURE;
}
