import { type FSWatcher, watch as fsWatch, statSync } from 'node:fs';
import { treeSignature, watchedDirs } from './watch-roots.js';

export const DEFAULT_RELOAD_DEBOUNCE_MS = 200;
/** The safety-net poll of the tree's signature (a stat per file: cheap for a config tree). */
export const DEFAULT_RELOAD_POLL_MS = 2_000;

export interface ConfigReloaderOptions<T> {
  dir: string;
  load: (dir: string) => T;
  apply: (next: T) => void;
  onError: (err: Error) => void;
  debounceMs?: number;
  /** 0 turns the poll off (tests of the watchers alone). */
  pollMs?: number;
  watch?: boolean;
  /** The folders of `dir` to watch (default: the whole tree): a service reacts only to the files it reads. */
  folders?: readonly string[];
}

export interface ConfigReloader {
  /**
   * Loads now: a valid config is applied and true returned; otherwise onError is called and the old one stays.
   * It also restarts the watching from scratch (SIGHUP calls this).
   */
  reload(): boolean;
  /** Stops watching (a pending debounced reload is dropped). */
  close(): void;
}

interface DirWatch {
  watcher: FSWatcher;
  ino: number;
  names: Set<string> | null;
}

/**
 * Reloads a config on demand and, with `watch` (default), whenever a file of the tree changes (debounced).
 * Every directory of the tree is watched non-recursively, and the set is re-synced after every event (new or
 * removed folders, retargeted links, a directory replaced); a poll of the tree's (path, size, mtime, inode)
 * signature catches whatever the watchers miss. It does not load at creation: the caller loads its first
 * config itself.
 */
export function createConfigReloader<T>(opts: ConfigReloaderOptions<T>): ConfigReloader {
  const debounceMs = opts.debounceMs ?? DEFAULT_RELOAD_DEBOUNCE_MS;
  const pollMs = opts.pollMs ?? DEFAULT_RELOAD_POLL_MS;
  const watching = opts.watch ?? true;
  const watches = new Map<string, DirWatch>();
  let timer: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;
  // The tree as it was when last loaded: the poll reloads when it differs.
  let signature = watching ? treeSignature(opts.dir, opts.folders) : '';

  const load = (): boolean => {
    signature = treeSignature(opts.dir, opts.folders);
    let next: T;
    try {
      next = opts.load(opts.dir);
    } catch (err) {
      opts.onError(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    try {
      opts.apply(next);
    } catch (err) {
      opts.onError(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    return true;
  };

  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      load();
      syncWatches();
    }, debounceMs);
    timer.unref();
  };

  const drop = (path: string): void => {
    watches.get(path)?.watcher.close();
    watches.delete(path);
  };

  const syncWatches = (): void => {
    if (closed || !watching) return;
    const dirs = watchedDirs(opts.dir, opts.folders);
    for (const path of [...watches.keys()]) if (!dirs.has(path)) drop(path);
    for (const [path, names] of dirs) {
      let ino: number;
      try {
        ino = statSync(path).ino;
      } catch {
        drop(path);
        continue;
      }
      const known = watches.get(path);
      // A directory replaced by another one under the same name needs a new watch: the old one follows the inode.
      if (known && known.ino === ino) {
        known.names = names;
        continue;
      }
      drop(path);
      try {
        // Not persistent: watching alone must not keep a service alive during shutdown.
        const watcher = fsWatch(path, { persistent: false }, (_event, name) => {
          const entry = watches.get(path);
          if (entry?.names && name && !entry.names.has(String(name))) return;
          schedule();
        });
        watcher.on('error', () => {
          if (watches.get(path)?.watcher === watcher) drop(path);
          schedule();
        });
        watches.set(path, { watcher, ino, names });
      } catch (err) {
        opts.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };

  const stopWatching = (): void => {
    for (const path of [...watches.keys()]) drop(path);
  };

  if (watching) {
    syncWatches();
    if (pollMs > 0) {
      poller = setInterval(() => {
        if (closed || timer) return;
        if (treeSignature(opts.dir, opts.folders) !== signature) schedule();
      }, pollMs);
      poller.unref();
    }
  }

  return {
    reload(): boolean {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const ok = load();
      if (watching && !closed) {
        stopWatching();
        syncWatches();
      }
      return ok;
    },
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      timer = undefined;
      stopWatching();
    },
  };
}
