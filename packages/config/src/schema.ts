import { parseDuration } from './duration.js';
import { child, type FileReport } from './errors.js';

// A tiny schema reader: each Section wraps one YAML mapping, rejects keys it does not know, and reads typed values
// with defaults. Every problem goes to the file's report with its key path; reads never throw. Messages quote a
// value only where it cannot be a secret (never for plain string keys, which include passwords), and only through
// report.quote, which hides values that came from the environment.

export class Section {
  readonly present: boolean;
  private readonly data: Record<string, unknown>;

  constructor(
    readonly report: FileReport,
    readonly path: string,
    raw: unknown,
    keys: readonly string[],
  ) {
    this.present = raw !== undefined;
    this.data = {};
    if (raw === undefined || raw === null) return;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      report.add(path, 'expected a mapping');
      return;
    }
    for (const [key, value] of Object.entries(raw)) {
      if (keys.includes(key)) this.data[key] = value;
      else report.add(child(path, key), `unknown key (expected one of: ${keys.join(', ')})`);
    }
  }

  at(key: string): string {
    return child(this.path, key);
  }

  raw(key: string): unknown {
    return this.data[key];
  }

  /** A key counts as set unless missing or null (`key:` with nothing after it). */
  has(key: string): boolean {
    return this.data[key] !== undefined && this.data[key] !== null;
  }

  section(key: string, keys: readonly string[]): Section {
    return new Section(this.report, this.at(key), this.data[key], keys);
  }

  string(key: string, opts: { required?: boolean; allowEmpty?: boolean } = {}): string | undefined {
    const value = this.data[key];
    if (value === undefined || value === null) {
      if (opts.required) this.report.add(this.at(key), 'is required');
      return undefined;
    }
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string') {
      this.report.add(this.at(key), 'expected a string');
      return undefined;
    }
    if (value === '' && opts.required && !opts.allowEmpty) {
      this.report.add(this.at(key), 'must not be empty');
      return undefined;
    }
    return value;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    const value = this.data[key];
    if (value === undefined || value === null) return fallback;
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.report.add(this.at(key), 'expected an integer');
      return fallback;
    }
    if (n < min || n > max) {
      this.report.add(
        this.at(key),
        `must be between ${min} and ${max} (got ${this.report.quote(this.at(key), n)})`,
      );
      return fallback;
    }
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.data[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.report.add(this.at(key), 'expected true or false');
    return fallback;
  }

  /** Milliseconds; see duration.ts for the accepted forms. */
  duration(key: string, fallbackMs: number, minMs = 1): number {
    const value = this.data[key];
    if (value === undefined || value === null) return fallbackMs;
    const ms = parseDuration(value);
    if (ms === undefined) {
      const shown =
        typeof value === 'string' || typeof value === 'number'
          ? ` (got ${this.report.quote(this.at(key), value)})`
          : '';
      this.report.add(
        this.at(key),
        `expected a duration like 500ms, 10s, 1m, 24h or a number of seconds${shown}`,
      );
      return fallbackMs;
    }
    if (ms < minMs) {
      this.report.add(
        this.at(key),
        minMs === 1 ? 'must be greater than zero' : `must be at least ${minMs}ms`,
      );
      return fallbackMs;
    }
    return ms;
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const value = this.data[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    const shown = typeof value === 'string' ? ` (got ${this.report.quote(this.at(key), value)})` : '';
    this.report.add(this.at(key), `expected one of: ${values.join(', ')}${shown}`);
    return fallback;
  }

  /** A list of strings; a bad element is reported with its index and left out. */
  stringList(key: string, opts: { required?: boolean } = {}): { value: string; path: string }[] {
    const value = this.data[key];
    if (value === undefined || value === null) {
      if (opts.required) this.report.add(this.at(key), 'is required');
      return [];
    }
    if (!Array.isArray(value)) {
      this.report.add(this.at(key), 'expected a list of strings');
      return [];
    }
    const out: { value: string; path: string }[] = [];
    value.forEach((item, i) => {
      const path = `${this.at(key)}[${i}]`;
      if (typeof item === 'string' || (typeof item === 'number' && Number.isFinite(item))) {
        out.push({ value: String(item), path });
      } else this.report.add(path, 'expected a string');
    });
    if (opts.required && value.length === 0) this.report.add(this.at(key), 'must not be empty');
    return out;
  }

  /** Entries of a mapping whose keys are free (service names, role names, env names). */
  entries(key: string): [string, unknown][] {
    const value = this.data[key];
    if (value === undefined || value === null) return [];
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.report.add(this.at(key), 'expected a mapping');
      return [];
    }
    return Object.entries(value);
  }
}
