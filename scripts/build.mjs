// Bundles every apps/<binary>/src/main.ts into dist/<binary>.mjs and writes the bin/<binary> launchers.
// Native modules stay external: they are loaded from node_modules at run time (bcrypt ships musl prebuilds).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = readFileSync(join(root, 'VERSION'), 'utf8').trim();
const buildTime = new Date().toISOString();
const apps = readdirSync(join(root, 'apps')).filter((name) =>
  existsSync(join(root, 'apps', name, 'src', 'main.ts')),
);

mkdirSync(join(root, 'dist'), { recursive: true });
mkdirSync(join(root, 'bin'), { recursive: true });

await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [join(root, 'apps', app, 'src', 'main.ts')],
      outfile: join(root, 'dist', `${app}.mjs`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: 'linked',
      legalComments: 'none',
      external: ['bcrypt', 'better-sqlite3'],
      define: {
        __SOGOMS_VERSION__: JSON.stringify(version),
        __SOGOMS_BUILD_TIME__: JSON.stringify(buildTime),
      },
      // CommonJS dependencies call require() for Node built-ins; give the ESM bundle a real one.
      banner: {
        js: "import { createRequire as __sogomsCreateRequire } from 'node:module'; const require = __sogomsCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    }),
  ),
);

for (const app of apps) {
  const launcher = join(root, 'bin', app);
  writeFileSync(launcher, `#!/bin/sh\nexec node "$(dirname "$0")/../dist/${app}.mjs" "$@"\n`);
  chmodSync(launcher, 0o755);
}
console.log(`built ${apps.length} binaries (${apps.join(', ')}) version ${version}`);
