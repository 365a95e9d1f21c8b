// The supervisor's log: one JSON object a line in supervisor.log_file, for the supervisor's own events and for
// every line its children write. Own events are echoed to the console too (info/warn on stdout, error/fatal
// on stderr) so a container's console shows starts, restarts and FATALs; child lines go to the file only.
// With a ConsoleReporter (`sogoctl run --console`, or a terminal) the console gets short human lines instead.

import { once } from 'node:events';
import { createWriteStream, fchmodSync, fstatSync, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { ConsoleReporter } from './console.js';

/** Mode of the log file, as sogoms-logs' files: child lines may carry what users sent, so not world-readable. */
export const LOG_FILE_MODE = 0o640;

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type StreamName = 'stdout' | 'stderr';

export interface EventFields {
  service?: string;
  instance?: number;
  [key: string]: unknown;
}

/** Where the supervisor writes: the file stream and, for its own events, the console. */
export interface LogSink {
  event(level: Level, event: string, msg: string, fields?: EventFields): void;
  childLine(service: string, instance: number, stream: StreamName, text: string): void;
}

const PINO_LEVELS: Record<number, Level> = {
  10: 'debug',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const LEVEL_NAMES = new Set<string>(['debug', 'info', 'warn', 'error', 'fatal']);

/**
 * The record for one child line. A line that is a JSON object (pino output of the sogoms services) is kept
 * parsed under `line`, with its level and msg lifted to the top; any other line is `msg` as written.
 */
export function childRecord(service: string, instance: number, stream: StreamName, text: string): object {
  const ts = new Date().toISOString();
  const fallback: Level = stream === 'stderr' ? 'warn' : 'info';
  const parsed = parseObject(text);
  if (!parsed) return { ts, level: fallback, service, instance, stream, msg: text };
  const msg = typeof parsed['msg'] === 'string' ? parsed['msg'] : '';
  return { ts, level: levelOf(parsed['level']) ?? fallback, service, instance, stream, msg, line: parsed };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function levelOf(value: unknown): Level | undefined {
  if (typeof value === 'number') return PINO_LEVELS[value];
  if (typeof value === 'string' && LEVEL_NAMES.has(value)) return value as Level;
  return undefined;
}

export class SupervisorLog implements LogSink {
  private failed = false;

  private constructor(
    private readonly file: string,
    private stream: WriteStream,
    private readonly echo: boolean,
    private readonly console?: ConsoleReporter,
  ) {
    this.watch(stream);
  }

  /** Opens (appends to) the log file, creating its directory; rejects when the file cannot be opened. */
  static async open(
    file: string,
    opts: { echo?: boolean; console?: ConsoleReporter } = {},
  ): Promise<SupervisorLog> {
    // A closed console (stdout piped into a command that exited) must not take the supervisor down.
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
    return new SupervisorLog(file, await openStream(file), opts.echo ?? true, opts.console);
  }

  /** A failing log file (disk full) is reported once on stderr; the services keep running regardless. */
  private watch(stream: WriteStream): void {
    stream.on('error', (err) => {
      if (this.failed) return;
      this.failed = true;
      process.stderr.write(`sogoctl: cannot write ${this.file}: ${err.message}\n`);
    });
  }

  event(level: Level, event: string, msg: string, fields: EventFields = {}): void {
    const line = `${JSON.stringify({ ts: new Date().toISOString(), level, source: 'sogoctl', event, ...fields, msg })}\n`;
    this.stream.write(line);
    if (this.console) {
      this.console.event(level, event, msg, fields);
      return;
    }
    if (!this.echo) return;
    if (level === 'error' || level === 'fatal') process.stderr.write(line);
    else process.stdout.write(line);
  }

  childLine(service: string, instance: number, stream: StreamName, text: string): void {
    this.stream.write(`${JSON.stringify(childRecord(service, instance, stream, text))}\n`);
    this.console?.childLine(service, instance, stream, text);
  }

  /** Reopens the file (after an external rotation moved it away); keeps the old stream on failure. */
  async reopen(): Promise<void> {
    const next = await openStream(this.file);
    this.watch(next);
    const old = this.stream;
    this.stream = next;
    this.failed = false;
    old.end();
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (stream.writableEnded || stream.destroyed) return;
    await new Promise<void>((resolve) => {
      stream.once('error', () => resolve());
      stream.end(resolve);
    });
  }
}

async function openStream(file: string): Promise<WriteStream> {
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a', mode: LOG_FILE_MODE });
  const [fd] = (await once(stream, 'open')) as [number];
  // open() leaves an existing file's mode as it was (0644 from older versions): set it on every open.
  try {
    if ((fstatSync(fd).mode & 0o777) !== LOG_FILE_MODE) fchmodSync(fd, LOG_FILE_MODE);
  } catch (err) {
    process.stderr.write(`sogoctl: cannot set mode 0640 on ${file}: ${(err as Error).message}\n`);
  }
  return stream;
}
