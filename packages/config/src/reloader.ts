import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { watchRoots } from './watch-roots.js';

export const DEFAULT_RELOAD_DEBOUNCE_MS = 200;

export interface ConfigReloaderOptions<T> {
  dir: string;
  load: (dir: string) => T;
  apply: (next: T) => void;
  onError: (err: Error) => void;
  debounceMs?: number;
  watch?: boolean;
}

export interface ConfigReloader {
  /** Loads now: a valid config is applied and true returned; otherwise onError is called and the old one stays. */
  reload(): boolean;
  /** Stops watching (a pending debounced reload is dropped). */
  close(): void;
}

/**
 * Reloads a config on demand and, with `watch` (default), whenever a file of the tree changes (debounced).
 * It does not load at creation: the caller loads its first config itself. SIGHUP is wired by the runtime.
 */
export function createConfigReloader<T>(opts: ConfigReloaderOptions<T>): ConfigReloader {
  const debounceMs = opts.debounceMs ?? DEFAULT_RELOAD_DEBOUNCE_MS;
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): boolean => {
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
      reload();
      // Links may have been added or retargeted: watch what the tree points at now.
      syncWatchers();
    }, debounceMs);
    timer.unref();
  };

  const syncWatchers = (): void => {
    const roots = watchRoots(opts.dir);
    for (const [path, watcher] of watchers) {
      if (!roots.has(path)) {
        watcher.close();
        watchers.delete(path);
      }
    }
    for (const [path, recursive] of roots) {
      if (watchers.has(path)) continue;
      try {
        // Not persistent: watching alone must not keep a service alive during shutdown.
        const watcher = fsWatch(path, { recursive, persistent: false }, schedule);
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(path);
          schedule();
        });
        watchers.set(path, watcher);
      } catch (err) {
        opts.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };

  if (opts.watch ?? true) syncWatchers();

  return {
    reload,
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
