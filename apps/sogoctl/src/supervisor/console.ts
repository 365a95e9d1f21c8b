// The console of `sogoctl run --console` (what `pnpm start` shows, and what a terminal gets): short human
// lines instead of the JSON events. It says why a service failed (its configuration problems, "port 8080 is in
// use", its last error line) once, not on every restart; configuration problems reported by several services
// (a refused reload) are printed once; FATAL says what to do next. The log file keeps everything as before.
import type { EventFields, Level, StreamName } from './log.js';

export interface ConsoleWriter {
  out(line: string): void;
  err(line: string): void;
}

const MAX_PROBLEM_LINES = 20;
const MAX_LINE_CHARS = 500;
const REFUSED = 'invalid configuration refused';
const RELOADED = 'configuration reloaded';
/** sogoway at start: queries the database refuses to prepare (apps/sogoway/src/apps/query-check.ts). */
const UNPREPARED = 'queries that do not prepare on their database';

/** Events printed as their msg, on stderr when at level error/fatal. */
const PLAIN_EVENTS = new Set([
  'ready',
  'blocked',
  'unhealthy',
  'force',
  'crash',
  'control_socket',
  'log_reopen',
  'stuck',
  'restart_requested',
  'config_watch',
]);

export class ConsoleReporter {
  /** The configuration problems printed last (several services report the same ones). */
  private shownProblems = '';
  /** Per instance, the exit reason printed last: a crash loop says it once. */
  private readonly shownExit = new Map<string, string>();

  constructor(
    private readonly write: ConsoleWriter,
    private readonly cwd: string = process.cwd(),
  ) {}

  event(level: Level, event: string, msg: string, fields: EventFields = {}): void {
    const who = fields.service
      ? `${fields.service}${fields.instance === undefined ? '' : ` ${fields.instance}`}`
      : '';
    const print = (line: string) =>
      (level === 'error' || level === 'fatal' ? this.write.err : this.write.out)(this.line(line));
    switch (event) {
      case 'starting':
        print(`${msg}; every service's output goes to ${this.path(String(fields.log_file ?? ''))}`);
        return;
      case 'exited':
        this.exited(who, msg, fields);
        return;
      case 'fatal':
        this.fatal(who, fields);
        return;
      case 'healthy':
        if (this.shownExit.delete(who)) this.write.out(this.line(`${who} healthy again`));
        return;
      case 'config_retry':
        print(`${who}: ${msg}`);
        return;
      case 'last_good_config':
        this.problems(
          fields.problems,
          `${who} serves its LAST GOOD configuration: the config files are invalid`,
        );
        return;
      case 'stopping':
      case 'stopped':
        if (!who) print(msg); // the supervisor's own; one line per instance would be noise
        return;
      default:
        if (PLAIN_EVENTS.has(event)) print(who && !msg.startsWith(who) ? `${who}: ${msg}` : msg);
    }
  }

  /** A service's own line: only refused reloads and the reload that follows a fix are shown. */
  childLine(service: string, _instance: number, _stream: StreamName, text: string): void {
    if (
      !text.startsWith('{') ||
      !(text.includes(REFUSED) || text.includes(RELOADED) || text.includes(UNPREPARED))
    )
      return;
    let record: { msg?: unknown; problems?: unknown };
    try {
      record = JSON.parse(text) as typeof record;
    } catch {
      return;
    }
    const msg = typeof record.msg === 'string' ? record.msg : '';
    if (msg.startsWith(UNPREPARED))
      this.problems(record.problems, `${service}: ${msg} (fix the query or the schema):`);
    else if (msg.startsWith(REFUSED) || msg.startsWith('reload refused'))
      this.problems(record.problems, 'config change refused, the services keep the previous configuration:');
    else if (msg.startsWith(RELOADED) && this.shownProblems !== '') {
      this.shownProblems = '';
      this.write.out(this.line(`config files valid again: ${service} and the others reloaded them`));
    }
  }

  private exited(who: string, msg: string, fields: EventFields): void {
    if (Array.isArray(fields.problems))
      this.problems(fields.problems, `configuration problems (${who} cannot start):`);
    const reason = typeof fields.reason === 'string' ? fields.reason : msg;
    if (this.shownExit.get(who) === reason) return;
    this.shownExit.set(who, reason);
    this.write.err(this.line(`${who} ${msg}`));
  }

  private fatal(who: string, fields: EventFields): void {
    const reason = typeof fields.reason === 'string' ? `: ${fields.reason}` : '';
    const next =
      fields.config_problem === true
        ? 'fix the config files: it starts again as soon as they change'
        : `fix the cause, then run: sogoctl restart ${String(fields.service)}`;
    this.write.err(this.line(`${who} FATAL, stays down${reason}`));
    this.write.err(this.line(`  ${next}`));
  }

  /** Prints a block of problems once; the same problems from another service (or again) print nothing. */
  private problems(value: unknown, head: string): void {
    const list = asProblemLines(value).map((p) => this.path(p));
    if (list.length === 0) return;
    const key = list.join('\n');
    if (key === this.shownProblems) return;
    this.shownProblems = key;
    this.write.err(this.line(head));
    for (const p of list.slice(0, MAX_PROBLEM_LINES)) this.write.err(this.line(`  ${p}`));
    if (list.length > MAX_PROBLEM_LINES)
      this.write.err(this.line(`  … ${list.length - MAX_PROBLEM_LINES} more (sogoctl check lists them all)`));
  }

  /** Paths under the working directory are shown relative to it (config/dev/queries/…). */
  private path(text: string): string {
    const prefix = `${this.cwd.replace(/\/$/, '')}/`;
    return text.startsWith(prefix) ? text.slice(prefix.length) : text;
  }

  private line(text: string): string {
    const one = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
    return `[sogoctl] ${one}`;
  }
}

/** Problems as "file: key.path: reason" lines, whether a service sent strings or {file, path, message}. */
export function asProblemLines(value: unknown): string[] {
  if (typeof value === 'string') return value.split('\n').filter((l) => l.trim() !== '');
  if (!Array.isArray(value)) return [];
  return value.flatMap((p): string[] => {
    if (typeof p === 'string') return [p];
    if (p === null || typeof p !== 'object') return [];
    const { file, path, message } = p as { file?: unknown; path?: unknown; message?: unknown };
    if (typeof message !== 'string') return [];
    const where = [file, path].filter((x) => typeof x === 'string' && x !== '').join(': ');
    return [where ? `${where}: ${message}` : message];
  });
}
