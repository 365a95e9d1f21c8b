// The last good configuration of a service: every source file a successful load read, kept in one JSON file
// (mode 0600, written atomically) next to the service's socket. A service that restarts while the tree is
// invalid (a refused edit, then a crash or a kill) starts from it instead of exiting in a loop, says so loudly,
// and switches back to the tree as soon as the tree loads again.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAppCache } from './app-cache.js';
import { ConfigError, formatProblem } from './errors.js';
import { diskSource, type FileSource, withSource } from './file-source.js';
import { loadPlatformConfig } from './platform.js';
import type { LoadOptions } from './tree.js';
import type { ConfigProblem, PlatformConfig } from './types.js';

/** Problems listed in a health answer while on the last good configuration (the log has them all). */
export const MAX_HEALTH_PROBLEMS = 10;
const FORMAT = 1;

export interface ConfigSnapshot {
  format: typeof FORMAT;
  /** The config directory it was read from (absolute); a snapshot of another tree is never used. */
  dir: string;
  saved_at: string;
  /** Absolute path → text of every file the load read. */
  files: Record<string, string>;
  /** Absolute path → names, of every directory the load looked into. */
  dirs: Record<string, string[]>;
}

export type ConfigOrigin = 'live' | 'last-good';

export interface LastGoodOptions extends LoadOptions {
  dir: string;
  /** Where the snapshot is kept (e.g. /run/sogoms-db.1.last-good.json). */
  file: string;
  clock?: () => number;
}

/** Loads a service's platform config, keeps the last good one, and remembers which of the two is in force. */
export class LastGoodConfig {
  origin: ConfigOrigin = 'live';
  /** While on the last good configuration: what is wrong with the tree. */
  problems: readonly ConfigProblem[] = [];
  /** When the snapshot in force (or the last one written) was taken. */
  savedAt: string | undefined;
  private readonly dir: string;
  private readonly pending = new WeakMap<PlatformConfig, ConfigSnapshot>();
  private readonly opts: LastGoodOptions;

  constructor(opts: LastGoodOptions) {
    this.dir = resolve(opts.dir);
    // Loads from the tree keep each app's result: a reload reads again only the apps whose files changed.
    this.opts = { ...opts, cache: opts.cache ?? createAppCache() };
  }

  /** Loads the tree from disk, recording what it reads; commit() makes it the last good snapshot. */
  readonly load = (): PlatformConfig => {
    const snapshot: ConfigSnapshot = {
      format: FORMAT,
      dir: this.dir,
      saved_at: new Date((this.opts.clock ?? Date.now)()).toISOString(),
      files: {},
      dirs: {},
    };
    const config = withSource(recordingSource(snapshot), () => loadPlatformConfig(this.dir, this.opts));
    this.pending.set(config, snapshot);
    return config;
  };

  /**
   * The config to start with: the tree, or — when the tree is invalid and a snapshot of it exists — the last
   * good one (origin becomes 'last-good'). Throws the tree's ConfigError when there is no usable snapshot.
   */
  start(): PlatformConfig {
    try {
      return this.load();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const snapshot = readSnapshot(this.opts.file, this.dir);
      if (!snapshot) throw err;
      let config: PlatformConfig;
      try {
        config = withSource(snapshotSource(snapshot), () => loadPlatformConfig(this.dir, this.opts));
      } catch {
        throw err; // the snapshot no longer loads either (a secret file gone): the tree's problems are the news
      }
      this.origin = 'last-good';
      this.problems = err.problems;
      this.savedAt = snapshot.saved_at;
      return config;
    }
  }

  /**
   * A config loaded by load() is now in force: back on the tree, and its files become the snapshot. Returns
   * the error when the snapshot cannot be written (the service goes on; it only loses its fallback).
   */
  commit(config: PlatformConfig): Error | undefined {
    const snapshot = this.pending.get(config);
    if (!snapshot) return undefined;
    this.pending.delete(config);
    this.origin = 'live';
    this.problems = [];
    this.savedAt = snapshot.saved_at;
    try {
      writeSnapshot(this.opts.file, snapshot);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /** A reload was refused: while on the last good configuration, the latest problems are the ones shown. */
  refused(err: unknown): void {
    if (this.origin === 'last-good' && err instanceof ConfigError) this.problems = err.problems;
  }

  /** Fields for a health answer: `config: "live"`, or `config: "last-good"` with when and why. */
  health(): Record<string, unknown> {
    if (this.origin === 'live') return { config: 'live' };
    return {
      config: 'last-good',
      config_saved_at: this.savedAt,
      config_problems: this.problems.slice(0, MAX_HEALTH_PROBLEMS).map(formatProblem),
      config_problem_count: this.problems.length,
    };
  }
}

/** Writes a snapshot atomically (temp file + rename), readable by its owner only. */
export function writeSnapshot(file: string, snapshot: ConfigSnapshot): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw err;
  }
}

/** The snapshot of `dir` kept in `file`, or undefined (none, unreadable, another tree, another format). */
export function readSnapshot(file: string, dir: string): ConfigSnapshot | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const s = value as Partial<ConfigSnapshot> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    s.format !== FORMAT ||
    s.dir !== resolve(dir) ||
    typeof s.files !== 'object' ||
    s.files === null ||
    typeof s.dirs !== 'object' ||
    s.dirs === null
  )
    return undefined;
  return s as ConfigSnapshot;
}

function recordingSource(snapshot: ConfigSnapshot): FileSource {
  return {
    readText(path) {
      const text = diskSource.readText(path);
      snapshot.files[path] = text;
      return text;
    },
    isDirectory(path) {
      const yes = diskSource.isDirectory(path);
      if (yes && !Object.hasOwn(snapshot.dirs, path)) {
        try {
          snapshot.dirs[path] = diskSource.list(path);
        } catch {
          snapshot.dirs[path] = [];
        }
      }
      return yes;
    },
    list(path) {
      const names = diskSource.list(path);
      snapshot.dirs[path] = names;
      return names;
    },
    fromDisk: true,
    remember(reads) {
      Object.assign(snapshot.files, reads.files);
      Object.assign(snapshot.dirs, reads.dirs);
    },
  };
}

function snapshotSource(snapshot: ConfigSnapshot): FileSource {
  const missing = (path: string) =>
    Object.assign(new Error(`not in the last good configuration: ${path}`), { code: 'ENOENT' });
  return {
    readText(path) {
      const text = Object.hasOwn(snapshot.files, path) ? snapshot.files[path] : undefined;
      if (typeof text !== 'string') throw missing(path);
      return text;
    },
    isDirectory: (path) => Object.hasOwn(snapshot.dirs, path),
    list(path) {
      const names = Object.hasOwn(snapshot.dirs, path) ? snapshot.dirs[path] : undefined;
      if (!Array.isArray(names)) throw missing(path);
      return names.filter((n): n is string => typeof n === 'string');
    },
  };
}
