// Lays out the release archive's content in a folder: launchers, bundles, VERSION, production config, and
// the runtime native modules copied out of pnpm's store (bcrypt with its musl/glibc prebuilds).
import { cpSync, existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: stage-release.mjs OUTDIR');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

for (const item of ['bin', 'dist', 'VERSION']) {
  if (!existsSync(join(root, item))) {
    console.error(`stage-release: ${item} is missing; run pnpm build first`);
    process.exit(1);
  }
  cpSync(join(root, item), join(out, item), { recursive: true });
}
cpSync(join(root, 'config'), join(out, 'config'), {
  recursive: true,
  filter: (src) => !relative(join(root, 'config'), src).split(sep).includes('dev'),
});

// A runtime native module and its dependencies, without build/ (so node-gyp-build picks the prebuild).
const RUNTIME_NATIVE = { bcrypt: ['node-gyp-build'] };
const require = createRequire(import.meta.url);
for (const [name, deps] of Object.entries(RUNTIME_NATIVE)) {
  const dir = realpathSync(dirname(require.resolve(`${name}/package.json`)));
  const modRequire = createRequire(join(dir, 'package.json'));
  const copies = [
    [dir, name],
    ...deps.map((dep) => [realpathSync(dirname(modRequire.resolve(`${dep}/package.json`))), dep]),
  ];
  for (const [src, pkg] of copies) {
    cpSync(src, join(out, 'node_modules', pkg), {
      recursive: true,
      dereference: true,
      filter: (path) => !/[/\\](build|test|src|deps)([/\\]|$)/.test(path.slice(src.length)),
    });
  }
}
console.log(`staged release in ${out}`);
