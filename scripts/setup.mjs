// Installs the workspace's dependencies with the pinned pnpm, on a machine that has only Node.js and npm.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // "pnpm@x.y.z"
const wanted = pinned.split('@')[1];

const env = { ...process.env };
// Native addons build against the local Node headers when the distribution ships them (no header download).
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
const [cmd, prefix] =
  probe.status === 0 && probe.stdout.trim() === wanted ? ['pnpm', []] : ['npx', ['--yes', pinned]];
const args = [...prefix, 'install', ...(env.CI ? ['--frozen-lockfile'] : [])];
console.log(`setup: ${cmd} ${args.join(' ')}`);
const result = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
