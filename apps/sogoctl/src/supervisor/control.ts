// The control socket: `sogoctl status` and `sogoctl restart NAME` talk to the running supervisor through it,
// with the same length-prefixed JSON protocol the services use.
import {
  createProtocolServer,
  ErrorCode,
  type MinimalLogger,
  type ProtocolServer,
  SogomsError,
} from '@sogoms/protocol';
import { VERSION } from '@sogoms/version';
import type { LogSink } from './log.js';
import type { Supervisor } from './supervisor.js';

/** Builds (does not start) the control server for a supervisor. */
export function createControlServer(
  socketPath: string,
  supervisor: Supervisor,
  log: LogSink,
): ProtocolServer {
  const startedAt = Date.now();
  return createProtocolServer({
    socketPath,
    logger: loggerFor(log),
    handlers: {
      status: () => supervisor.status(),
      restart: (params) => {
        const name = params['name'];
        if (typeof name !== 'string' || name === '') {
          throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'restart needs {"name": "<service>"}');
        }
        return supervisor.restartService(name);
      },
      health: () => {
        const rows = supervisor.status();
        return {
          status: 'ok',
          service: 'sogoctl',
          version: VERSION,
          pid: process.pid,
          uptime_s: Math.floor((Date.now() - startedAt) / 1000),
          instances: rows.length,
          healthy: rows.filter((r) => r.state === 'healthy').length,
          fatal: rows.filter((r) => r.state === 'fatal').map((r) => `${r.service}.${r.instance}`),
        };
      },
    },
  });
}

function loggerFor(log: LogSink): MinimalLogger {
  const at =
    (level: 'info' | 'warn' | 'error') =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') log.event(level, 'control', obj);
      else log.event(level, 'control', msg ?? '', { detail: String((obj as { err?: unknown }).err ?? '') });
    };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
