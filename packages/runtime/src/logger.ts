// The services' own diagnostics: pino JSON lines on stdout, collected by sogoctl (SPEC §7).
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
}

/** A pino logger tagged with the service name and pid, writing JSON lines to stdout. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  return pino({
    name: service,
    level: options.level ?? 'info',
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
