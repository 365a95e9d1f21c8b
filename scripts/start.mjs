// `pnpm start` / `npm start`: the demo platform on the embedded default, from a fresh clone, without root,
// MariaDB or an SMTP server. Installs and builds what is missing, prepares ./var, creates the SQLite prokov
// database from its schema, runs sogoctl with every service and stops everything on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configDir = join(root, 'config', 'dev');
const port = process.env.SOGOMS_PORT ?? '8080';
const binaries = ['sogoctl', 'sogoway', 'sogoms-db', 'sogoms-logs', 'sogoms-smtp'];

const step = (msg) => console.log(`[start] ${msg}`);
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status === 0;

/** Newest modification time under a folder's src/ trees, to know whether the bundles are stale. */
function newestSource() {
  let newest = statSync(join(root, 'VERSION')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const group of ['apps', 'packages'])
    for (const name of readdirSync(join(root, group))) {
      const src = join(root, group, name, 'src');
      if (existsSync(src)) walk(src);
    }
  return newest;
}

function needsBuild() {
  for (const name of binaries) {
    const bundle = join(root, 'dist', `${name}.mjs`);
    if (!existsSync(join(root, 'bin', name)) || !existsSync(bundle)) return true;
  }
  const oldest = Math.min(...binaries.map((name) => statSync(join(root, 'dist', `${name}.mjs`)).mtimeMs));
  return newestSource() > oldest;
}

if (!existsSync(join(root, 'node_modules', '.pnpm'))) {
  step('installing dependencies (first run only)');
  if (!run([join(root, 'scripts', 'setup.mjs')])) process.exit(1);
}
if (needsBuild()) {
  step('building the binaries');
  if (!run([join(root, 'scripts', 'build.mjs')])) process.exit(1);
}

step('preparing ./var');
for (const sub of ['run', 'log', 'data', 'mail', 'secrets'])
  mkdirSync(join(root, 'var', sub), { recursive: true, mode: 0o750 });
const secret = join(root, 'var', 'secrets', 'prokov_jwt_secret');
if (!existsSync(secret)) writeFileSync(secret, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });

// The schema is idempotent (CREATE TABLE IF NOT EXISTS): running it again keeps the data.
const Database = createRequire(import.meta.url)('better-sqlite3');
const db = new Database(join(root, 'var', 'data', 'prokov.db'));
db.pragma('journal_mode = WAL');
db.exec(readFileSync(join(root, 'clients', 'prokov.sqlite.sql'), 'utf8'));
db.close();

step(`starting sogoctl with ${configDir}`);
// sogoctl gets its own process group: Ctrl-C reaches this script only, which asks sogoctl for the ordered stop.
const child = spawn(join(root, 'bin', 'sogoctl'), ['-config', configDir], {
  cwd: root,
  env: { ...process.env, SOGOMS_HOME: root, SOGOMS_PORT: port },
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});
let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  step(`${signal}: stopping every service`);
  child.kill('SIGTERM');
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
child.on('exit', (code, signal) => {
  step(`sogoctl exited (${signal ?? code})`);
  process.exit(code ?? 1);
});

const deadline = Date.now() + 60_000;
while (!stopping && Date.now() < deadline) {
  const ok = await fetch(`http://127.0.0.1:${port}/health`)
    .then((res) => res.ok)
    .catch(() => false);
  if (ok) {
    step(`SOGOMS is up: http://localhost:${port}/api  (app prokov, Host: localhost)`);
    step(
      `try: curl -s -X POST http://localhost:${port}/api/auth/register -H 'Content-Type: application/json' \\`,
    );
    step(`       -d '{"email":"ada@example.com","password":"correct-horse","name":"Ada"}'`);
    step('logs: var/log/sogoctl.log, mail: var/mail, data: var/data/prokov.db — Ctrl-C stops everything');
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
