// Why a child exited, in one line, from the last lines it wrote: the configuration problems a service prints
// before exiting 2, "port N is in use" for EADDRINUSE, the msg of its own pino fatal/error line, or its last
// line of stderr (a Node crash's "Error: …", without the stack). The supervisor log and `sogoctl status` show
// it beside the exit code, and the console prints it instead of a bare "exited (code 1)".

/** Lines of a child's output kept to explain its exit. */
export const TAIL_LINES = 40;
/** Longest reason kept (a child line may be anything: the bound keeps user values out of long messages). */
export const MAX_REASON_CHARS = 300;
const MAX_PROBLEMS = 20;

export interface ExitReason {
  /** One line: "invalid configuration (2 problems)", "port 8080 is in use", "Error: boom". */
  reason: string;
  /** The configuration problems, "file: key.path: reason" each, when the child printed them. */
  problems?: string[];
}

interface TailLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** The last TAIL_LINES lines of one process's stdout and stderr, in the order they came. */
export class OutputTail {
  private lines: TailLine[] = [];

  push(stream: 'stdout' | 'stderr', text: string): void {
    this.lines.push({ stream, text });
    if (this.lines.length > TAIL_LINES) this.lines.shift();
  }

  reason(): ExitReason | undefined {
    return exitReason(this.lines);
  }
}

const CONFIG_HEAD = /invalid configuration \(\d+ problems?\)$/;
const ADDRESS_IN_USE = /EADDRINUSE\b(?::? address already in use)?\s*(\S*?):?(\d+)?$/;
const NOISE = /^(\s+at |\s*\^+\s*$|Node\.js v\d|\s*$)/;

/** Reads the tail, newest lines weighing most; undefined when the child said nothing useful. */
export function exitReason(lines: readonly TailLine[]): ExitReason | undefined {
  // The config block: "svc: invalid configuration (N problems)" then one indented line per problem.
  for (let i = lines.length - 1; i >= 0; i--) {
    const head = lines[i]!.text;
    if (!CONFIG_HEAD.test(head)) continue;
    const problems: string[] = [];
    for (let j = i + 1; j < lines.length && /^\s{2}\S/.test(lines[j]!.text); j++)
      if (problems.length < MAX_PROBLEMS) problems.push(cut(lines[j]!.text.trim()));
    const reason = cut(head.slice(head.indexOf('invalid configuration')));
    return problems.length > 0 ? { reason, problems } : { reason };
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const found = addressInUse(lines[i]!.text);
    if (found) return { reason: found };
  }
  // A service's own pino line at level error or fatal says what went wrong in its msg.
  for (let i = lines.length - 1; i >= 0; i--) {
    const record = parseObject(lines[i]!.text);
    if (!record || typeof record.level !== 'number' || record.level < 60) continue;
    const err = record.err as { message?: unknown } | undefined;
    const detail = typeof err?.message === 'string' ? `: ${err.message}` : '';
    return { reason: cut(`${String(record.msg ?? 'fatal error')}${detail}`) };
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const { stream, text } = lines[i]!;
    if (stream === 'stderr' && !NOISE.test(text)) return { reason: cut(text.trim()) };
  }
  return undefined;
}

/** "port 8080 is in use (127.0.0.1:8080)" from a Node listen error, in a plain or a pino JSON line. */
function addressInUse(text: string): string | undefined {
  if (!text.includes('EADDRINUSE')) return undefined;
  const record = parseObject(text);
  const err = record?.err as { message?: unknown } | undefined;
  const source = typeof err?.message === 'string' ? err.message : text;
  const m = ADDRESS_IN_USE.exec(source.split('\n')[0]!.trim());
  if (!m?.[2]) return 'address already in use (EADDRINUSE)';
  return m[1] ? `port ${m[2]} is in use (${cut(m[1])}:${m[2]})` : `port ${m[2]} is in use`;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function cut(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}
