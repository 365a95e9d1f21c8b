import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

const MAX_DEPTH = 4;

/**
 * The real paths to watch for a config tree: the tree itself (recursively) plus the target of every symlink in it
 * that points outside — a recursive fs.watch does not follow links, and the dev config links queries/ and emails/
 * to the production folders. Value: whether to watch recursively (directories) or not (a linked file).
 */
export function watchRoots(dir: string): Map<string, boolean> {
  const roots = new Map<string, boolean>();
  let top: string;
  try {
    top = realpathSync(dir);
  } catch {
    return roots;
  }
  roots.set(top, true);
  const inside = (path: string): boolean =>
    [...roots.entries()].some(
      ([root, recursive]) => path === root || (recursive && path.startsWith(root + sep)),
    );
  const walk = (path: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (entry.isSymbolicLink()) {
        let real: string;
        let isDir: boolean;
        try {
          real = realpathSync(full);
          isDir = statSync(real).isDirectory();
        } catch {
          continue; // a dangling link: the loader reports what it cannot read
        }
        if (inside(real)) continue;
        roots.set(real, isDir);
        if (isDir) walk(real, depth + 1);
      }
    }
  };
  walk(top, 0);
  return roots;
}
