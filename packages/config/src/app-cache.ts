// Per-app results kept between two loads of the tree. Every file and directory an app's load touched is noted
// with its stats (size, mtime, ctime, inode: links followed) or its listing; at the next load an app whose notes
// all still hold is not read again and keeps the very same frozen AppConfig object — so what the services hang
// on it (the gateway's compiled queries and column types, sogoms-db's pools) survives an edit of another app.
import { readdirSync, statSync } from 'node:fs';
import { type FileSource, fileSource, type SourceReads, withSource } from './file-source.js';
import { deepFreeze } from './freeze.js';
import type { AppConfig } from './types.js';

export interface CachedApp<T> {
  /** path → stats signature, or "list:" + path → names. */
  notes: Map<string, string>;
  reads: SourceReads;
  value: T;
}

/** What one service keeps between loads: the cached apps, valid for one env and one set of folders. */
export interface AppCache {
  entries: Map<string, CachedApp<unknown>>;
  key?: unknown;
  env?: unknown;
}

export function createAppCache(): AppCache {
  return { entries: new Map() };
}

const LIST = 'list:';

function signature(path: string): string {
  try {
    const s = statSync(path);
    return `${s.isDirectory() ? 'd' : s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  } catch {
    return '-';
  }
}

function listing(path: string): string {
  try {
    return readdirSync(path).sort().join('\0');
  } catch {
    return '-';
  }
}

/** Whether every file and directory an app read is as it was. */
function fresh(notes: Map<string, string>): boolean {
  for (const [key, value] of notes) {
    const now = key.startsWith(LIST) ? listing(key.slice(LIST.length)) : signature(key);
    if (now !== value) return false;
  }
  return true;
}

/** A source that notes what is read through it (stats taken before the read: a later change makes it stale). */
function noting(inner: FileSource, notes: Map<string, string>, reads: SourceReads): FileSource {
  const keepText = inner.remember !== undefined;
  return {
    readText(path) {
      notes.set(path, signature(path));
      const text = inner.readText(path);
      if (keepText) reads.files[path] = text;
      return text;
    },
    isDirectory(path) {
      notes.set(path, signature(path));
      const yes = inner.isDirectory(path);
      if (yes && keepText && !Object.hasOwn(reads.dirs, path)) {
        try {
          reads.dirs[path] = inner.list(path);
        } catch {
          reads.dirs[path] = [];
        }
      }
      return yes;
    },
    list(path) {
      notes.set(`${LIST}${path}`, listing(path));
      const names = inner.list(path);
      if (keepText) reads.dirs[path] = names;
      return names;
    },
    fromDisk: true,
    depend(path) {
      notes.set(path, signature(path));
      inner.depend?.(path);
    },
  };
}

/**
 * One app's part of a load, through the cache: the cached value when every file it read is unchanged (the reads
 * are replayed to a recording source), else `read()` runs and its value is kept — unless it reported a problem
 * (`clean()` false). Without a cache, or reading from a snapshot, it simply reads.
 */
export function cachedRead<T>(
  cache: AppCache | undefined,
  id: string,
  seen: Map<string, CachedApp<unknown>>,
  read: () => T,
  clean: () => boolean,
): { value: T; reused: boolean } {
  const source = fileSource();
  if (!cache || !source.fromDisk) return { value: read(), reused: false };
  const hit = cache.entries.get(id) as CachedApp<T> | undefined;
  if (hit && fresh(hit.notes)) {
    source.remember?.(hit.reads);
    seen.set(id, hit);
    return { value: hit.value, reused: true };
  }
  const notes = new Map<string, string>();
  const reads: SourceReads = { files: {}, dirs: {} };
  const value = withSource(noting(source, notes, reads), read);
  if (clean()) seen.set(id, { notes, reads, value: deepFreeze(value) });
  return { value, reused: false };
}

/** The apps of `next` that are not the very same object in `previous`: changed, added and removed. */
export function appChanges(
  previous: Readonly<Record<string, AppConfig>>,
  next: Readonly<Record<string, AppConfig>>,
): { changed: string[]; added: string[]; removed: string[] } {
  const changed: string[] = [];
  const added: string[] = [];
  for (const [app, config] of Object.entries(next)) {
    if (!Object.hasOwn(previous, app)) added.push(app);
    else if (previous[app] !== config) changed.push(app);
  }
  const removed = Object.keys(previous).filter((app) => !Object.hasOwn(next, app));
  return { changed, added, removed };
}
