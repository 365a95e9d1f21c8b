import { lstatSync, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const MAX_DEPTH = 4;

/**
 * What to watch for a config tree: real directory path → the names to react to (null: every name). Every directory
 * of the tree is watched on its own, non-recursively: a directory watch survives a file being replaced by a rename
 * (sed -i, vim, editors' safe save), which a recursive fs.watch does not. Symlinks are followed (the dev config
 * links queries/ and emails/ to the production folders); a link to a single file gets its target's directory
 * watched for that name only.
 */
export function watchedDirs(dir: string, folders?: readonly string[]): Map<string, Set<string> | null> {
  const dirs = new Map<string, Set<string> | null>();
  walk(dir, folders, (path, real, stats) => {
    // The root itself only for the folders read (one appearing, or replaced by a link).
    if (stats.isDirectory()) dirs.set(real, path === dir && folders ? new Set(folders) : null);
    else if (path !== real) {
      // A linked file: watch the directory holding its target, for that name.
      const parent = dirname(real);
      const names = dirs.get(parent);
      if (names === undefined) dirs.set(parent, new Set([basename(real)]));
      else names?.add(basename(real));
    }
  });
  return dirs;
}

/**
 * A cheap fingerprint of the tree: (path, size, mtime, inode) of every file and directory, links followed. The
 * reloader polls it as a safety net: any save, whatever the editor, changes it.
 */
export function treeSignature(dir: string, folders?: readonly string[]): string {
  const parts: string[] = [];
  walk(dir, folders, (path, _real, s) => {
    parts.push(`${path}\t${s.isDirectory() ? 'd' : s.size}\t${s.mtimeMs}\t${s.ino}`);
  });
  return parts.join('\n');
}

/**
 * Visits the tree's root and everything under it (links followed, each real directory once, bounded depth); with
 * `folders`, only those folders of the root. The real path of an entry that is not a link is its real parent's
 * joined with its name: only the root and the links pay for a realpath (which lstats every component).
 */
function walk(
  dir: string,
  folders: readonly string[] | undefined,
  visit: (path: string, real: string, stats: Stats) => void,
): void {
  const seen = new Set<string>();
  const go = (path: string, realParent: string | undefined, depth: number): void => {
    let real: string;
    let stats: Stats;
    try {
      const own = realParent === undefined ? undefined : lstatSync(path);
      if (own && !own.isSymbolicLink()) {
        real = join(realParent!, basename(path));
        stats = own;
      } else {
        real = realpathSync(path);
        stats = statSync(real);
      }
    } catch {
      return; // gone, or a dangling link: the loader reports what it cannot read
    }
    visit(path, real, stats);
    if (!stats.isDirectory() || depth >= MAX_DEPTH || seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      return;
    }
    for (const name of names)
      if (depth > 0 || !folders || folders.includes(name)) go(join(path, name), real, depth + 1);
  };
  go(dir, undefined, 0);
}
