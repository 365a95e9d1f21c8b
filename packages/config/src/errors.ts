import type { ConfigProblem } from './types.js';

/** Thrown by the loaders: carries every problem found, and its message lists them all (never a secret value). */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** One line per problem: "file: key.path: reason" (the key path is left out when the whole file is at fault). */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const head = `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'})`;
  return [head, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n');
}

export function formatProblem(p: ConfigProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

/**
 * Collects problems for one file; the key path is passed per problem. It also remembers which key paths got
 * their value from the environment: those values may be secrets, so `quote` never shows them.
 */
export class FileReport {
  readonly expanded = new Set<string>();
  /** Key paths whose ${VAR} was unset: already reported, so later checks of that value would only add noise. */
  readonly unset = new Set<string>();

  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {}

  /** A value written in the file, quoted for a message; one that came from ${VAR} is not shown. */
  quote(path: string, value: unknown): string {
    return this.expanded.has(path) ? '(value from the environment, not shown)' : JSON.stringify(value);
  }

  add(path: string, message: string): void {
    if (this.unset.has(path)) return;
    this.problems.push({ file: this.file, path, message });
  }

  forFile(file: string): FileReport {
    return new FileReport(file, this.problems);
  }
}

/** Joins a key path: child("services", "db") → "services.db"; index("args", 0) → "args[0]". */
export function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}
