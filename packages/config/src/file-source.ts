// Where the loaders read the config tree from: the disk, normally; a recorded snapshot when a service restarts on
// its last good configuration (last-good.ts). Loading is synchronous from start to end, so the source in force is
// set for the duration of one load (withSource) instead of being threaded through every reader.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export interface FileSource {
  /** A file's text; throws an ErrnoException-like error (with `code`) when it cannot be read. */
  readText(path: string): string;
  /** Whether a path is a directory, links followed. */
  isDirectory(path: string): boolean;
  /** The names in a directory. */
  list(path: string): string[];
  /** Reads come from the disk itself (not a snapshot): per-app results may be cached by file stats. */
  fromDisk?: boolean;
  /** Told what an app reused from the cache had read, so that a recording source still records it. */
  remember?(reads: SourceReads): void;
  /** Told of a file read outside the source (a secret file): its stats decide whether a cached app is stale. */
  depend?(path: string): void;
}

/** The files (path → text) and directories (path → names) one app's load read. */
export interface SourceReads {
  files: Record<string, string>;
  dirs: Record<string, string[]>;
}

export const diskSource: FileSource = {
  readText: (path) => readFileSync(path, 'utf8'),
  isDirectory(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  list: (path) => readdirSync(path),
  fromDisk: true,
};

let current: FileSource = diskSource;

/** The source the loaders read from right now. */
export function fileSource(): FileSource {
  return current;
}

/** A file the loaders read directly (secrets): the source in force is told, for the per-app cache. */
export function dependOn(path: string): void {
  current.depend?.(path);
}

/** Runs a (synchronous) load with `source` as the place files are read from. */
export function withSource<T>(source: FileSource, load: () => T): T {
  const previous = current;
  current = source;
  try {
    return load();
  } finally {
    current = previous;
  }
}
