// The one "build the binaries if they are missing or stale" used by tests that spawn bin/* (`pnpm test` always
// builds first; this is for running a single test file right after editing sources).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/** Runs scripts/build.mjs when bin/<app> or dist/<app>.mjs is missing or older than its sources; returns bin/<app>. */
export function ensureBuilt(app: string): string {
  const bin = join(ROOT, 'bin', app);
  const bundle = join(ROOT, 'dist', `${app}.mjs`);
  const built = existsSync(bin) && existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const sources = [
    join(ROOT, 'apps', app, 'src'),
    ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name, 'src')),
  ];
  if (built > 0 && sources.every((dir) => newestMtime(dir) <= built)) return bin;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('pnpm build failed');
  return bin;
}
