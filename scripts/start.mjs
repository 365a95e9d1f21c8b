// `pnpm start` / `npm start`: the demo platform on the embedded default, from a fresh clone, without root,
// MariaDB or an SMTP server. Installs and builds what is missing, prepares ./var, creates or migrates each app's
// database from config/schema (sogoms-schema migrate), runs sogoctl with every service and stops everything on
// Ctrl-C. sogoctl runs with --console: why a service fails (config problems, a busy port, a crash) shows here, not only in the log.
//
// Environment: SOGOMS_PORT (8080), SOGOMS_CONFIG (config/dev), SOGOMS_VAR (./var), SOGOMS_START_WAIT (seconds
// to wait for /health before saying what is not healthy, 60), SOGOMS_SKIP_BUILD=1 (use bin/ as it is).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configDir = resolve(process.env.SOGOMS_CONFIG || join(root, 'config', 'dev'));
const varDir = resolve(process.env.SOGOMS_VAR || join(root, 'var'));
const port = process.env.SOGOMS_PORT || '8080';
const waitMs = Number(process.env.SOGOMS_START_WAIT || 60) * 1000;
/** After this long, the wait also stops as soon as nothing can get better on its own (FATAL services only). */
const SETTLED_CHECK_AFTER_MS = 5_000;
const SETTLED_CHECK_EVERY_MS = 3_000;
const binaries = [
  'sogoctl',
  'sogoway',
  'sogoms-db',
  'sogoms-logs',
  'sogoms-smtp',
  'sogoms-cron',
  'sogoms-push',
];

const step = (msg) => console.log(`[start] ${msg}`);
const shown = (path) => (path.startsWith(`${root}/`) ? relative(root, path) : path);
const env = {
  ...process.env,
  SOGOMS_HOME: root,
  SOGOMS_CONFIG: configDir,
  SOGOMS_VAR: varDir,
  SOGOMS_PORT: port,
  // The password reset mail links to the demo itself, not to the production host.
  PROKOV_RESET_URL: process.env.PROKOV_RESET_URL || `http://localhost:${port}/reset`,
};
const sogoctl = join(root, 'bin', 'sogoctl');
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
if (process.env.SOGOMS_SKIP_BUILD !== '1' && needsBuild()) {
  step('building the binaries');
  if (!run([join(root, 'scripts', 'build.mjs')])) process.exit(1);
}

/** `sogoctl status --json` of the supervisor of this config, or undefined when none answers. */
function supervisorStatus() {
  const res = spawnSync(sogoctl, ['status', '--json', '-config', configDir], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (res.status !== 0) return undefined;
  try {
    return JSON.parse(res.stdout);
  } catch {
    return undefined;
  }
}

const running = supervisorStatus();
if (running) {
  step(`already running (pid ${running.supervisor?.pid ?? '?'}): http://localhost:${port}/api`);
  step(
    `stop it with Ctrl-C where it runs (or kill -TERM ${running.supervisor?.pid ?? 'PID'}), then start again`,
  );
  process.exit(1);
}

step(`preparing ${shown(varDir)}`);
for (const sub of ['run', 'log', 'data', 'mail', 'secrets'])
  mkdirSync(join(varDir, sub), { recursive: true, mode: 0o750 });
const secret = join(varDir, 'secrets', 'prokov_jwt_secret');
if (!existsSync(secret)) writeFileSync(secret, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });

// Every app with a schema/{app}.yaml (prokov, and any app a developer adds) gets its tables created or brought
// up to date; the data stays. A refused (destructive) change stops here with what sogoms-schema said.
step('migrating the databases (sogoms-schema migrate)');
const migrated = spawnSync(join(root, 'bin', 'sogoms-schema'), ['migrate', '-config', configDir], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

step(`starting sogoctl with ${shown(configDir)}`);
// sogoctl gets its own process group: Ctrl-C reaches this script only, which asks sogoctl for the ordered stop.
const child = spawn(sogoctl, ['-config', configDir, '--console'], {
  cwd: root,
  env,
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const healthy = () =>
  // Bounded: another program holding the port may accept and never answer.
  fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) })
    .then((res) => res.ok)
    .catch(() => false);

function sayUp() {
  step(`SOGOMS is up: http://localhost:${port}/api  (app prokov, Host: localhost)`);
  step(
    `try: curl -s -X POST http://localhost:${port}/api/auth/register -H 'Content-Type: application/json' \\`,
  );
  step(`       -d '{"email":"ada@example.com","password":"correct-horse","name":"Ada"}'`);
  const logDir = shown(join(varDir, 'log'));
  step(`logs: ${logDir}/sogoctl.log, mail: ${shown(join(varDir, 'mail'))} — Ctrl-C stops everything`);
}

/** One line per instance that is not healthy, with why: its last exit's reason, or what it waits for. */
function notHealthy(status) {
  return (status?.instances ?? [])
    .filter((r) => r.state !== 'healthy')
    .map((r) => {
      const why =
        r.state === 'waiting'
          ? 'not started: waits for the services it depends on'
          : (r.last_exit?.reason ??
            r.last_exit?.error ??
            (r.last_exit ? `exited with code ${r.last_exit.code}` : ''));
      return `${r.service} ${r.instance}: ${r.state === 'fatal' ? 'FATAL' : r.state}${why ? ` — ${why}` : ''}`;
    });
}

/** Nothing will get better without a fix: something is FATAL and the rest is healthy or waits for it. */
const settled = (status) =>
  (status?.instances ?? []).some((r) => r.state === 'fatal') &&
  status.instances.every((r) => ['healthy', 'fatal', 'waiting'].includes(r.state));

const t0 = Date.now();
let nextSettledCheck = t0 + SETTLED_CHECK_AFTER_MS;
let up = false;
while (!stopping) {
  if (await healthy()) {
    up = true;
    break;
  }
  const now = Date.now();
  let status;
  if (now >= nextSettledCheck) {
    nextSettledCheck = now + SETTLED_CHECK_EVERY_MS;
    status = supervisorStatus();
  }
  if (now - t0 >= waitMs || settled(status)) {
    status ??= supervisorStatus();
    const lines = notHealthy(status);
    // One write for the whole block: whoever reads the terminal (a person, a test) gets it in one piece.
    const why = lines.length > 0 ? lines : ['(sogoctl does not answer: see the lines above)'];
    console.log(
      [
        `not up after ${Math.round((now - t0) / 1000)}s; not healthy:`,
        ...why.map((line) => `  ${line}`),
        'sogoctl keeps running: a service FATAL because of its config starts again when the files are fixed;',
        'other causes: fix them, then bin/sogoctl restart NAME. Ctrl-C stops everything.',
      ]
        .map((line) => `[start] ${line}`)
        .join('\n'),
    );
    break;
  }
  await sleep(200);
}
if (up) sayUp();
else {
  // Still watching: when a fix brings the gateway up, say so.
  while (!stopping) {
    await sleep(1_000);
    if (await healthy()) {
      sayUp();
      break;
    }
  }
}
