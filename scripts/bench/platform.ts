// Starts the platform for the benchmark: bin/sogoctl on a temporary config tree (the real config/queries and
// config/emails linked in) against an existing MariaDB database, with production's bcrypt cost. Two apps share
// that database, the JWT secret and the auth settings: `prokov` (the hand-written config/queries/prokov) and
// its schema twin `prokovschema` (no queries folder: config/schema/prokov.yaml copied as
// schema/prokovschema.yaml, so every resource and /auth are the generated ones). With a profile directory, every
// service runs as `node --cpu-prof dist/<binary>.mjs` so that its CPU profile is written when sogoctl stops it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARIADB } from '../../tests/helpers/mariadb.js';
import { BIN, freePort, ROOT, waitFor } from '../../tests/helpers/platform.js';

export const BENCH_HOST = 'prokov.bench';
/** The schema twin: the same database and users, every resource generated from the schema. */
export const BENCH_SCHEMA_APP = 'prokovschema';
export const BENCH_SCHEMA_HOST = 'prokovschema.bench';

export interface BenchPlatformOptions {
  database: string;
  dbInstances: number;
  /** database.pool of the app (connections per sogoms-db instance). */
  dbPool: number;
  /** When set, services run under `node --cpu-prof --cpu-prof-dir=<profDir>/<service>`. */
  profDir?: string;
}

export interface BenchPlatform {
  url: string;
  port: number;
  jwtSecret: string;
  controlSocket: string;
  sogoctl: ChildProcess;
  stop(): Promise<number | null>;
}

function command(binary: string, profDir: string | undefined): { binary: string; pre: string[] } {
  if (!profDir) return { binary: join(BIN, binary), pre: [] };
  const dir = join(profDir, binary);
  mkdirSync(dir, { recursive: true });
  return {
    binary: process.execPath,
    pre: ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(ROOT, 'dist', `${binary}.mjs`)],
  };
}

function service(
  name: string,
  args: string[],
  health: string,
  profDir: string | undefined,
  extra = '',
): string {
  const { binary, pre } = command(name, profDir);
  return `  ${name}:
    binary: ${binary}
    args: ${JSON.stringify([...pre, ...args])}
    ${health}
${extra}`;
}

/** Writes the config tree and starts sogoctl; resolves once the gateway's /health answers 200. */
export async function startBenchPlatform(options: BenchPlatformOptions): Promise<BenchPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'sgb-'));
  const configDir = join(dir, 'config');
  const runDir = join(dir, 'run');
  const logDir = join(dir, 'log');
  for (const sub of [join(configDir, 'routes'), runDir, logDir, join(dir, 'secrets'), join(dir, 'mail')])
    mkdirSync(sub, { recursive: true });
  symlinkSync(join(ROOT, 'config', 'queries'), join(configDir, 'queries'));
  symlinkSync(join(ROOT, 'config', 'emails'), join(configDir, 'emails'));
  const jwtSecret = randomBytes(32).toString('hex');
  writeFileSync(join(dir, 'secrets', 'jwt'), `${jwtSecret}\n`);
  writeFileSync(join(dir, 'secrets', 'db'), `${MARIADB.password}\n`);
  // Both apps get the same routes file but for their name and host: same database, pool, secret, sessions
  // and rate limits, so that the only difference between them is where their queries come from.
  const routes = (app: string, host: string) => `app: ${app}
version: "bench"
hosts: [${host}]
database:
  driver: mysql
${process.env.BENCH_DB_SOCKET ? `  socket: ${process.env.BENCH_DB_SOCKET}` : `  host: ${MARIADB.host}\n  port: ${MARIADB.port}`}
  user: ${MARIADB.user}
  password_file: ../secrets/db
  name: ${options.database}
  pool: ${options.dbPool}
auth:
  jwt_secret_file: ../secrets/jwt
  access_ttl: 2h
  bcrypt_cost: 10
  rate_limit:
    login_per_ip: 10000000
    register_per_ip: 10000000
smtp:
  transport: file
  dir: ../mail
  from: noreply@${host}
`;
  writeFileSync(join(configDir, 'routes', 'prokov.yaml'), routes('prokov', BENCH_HOST));
  writeFileSync(
    join(configDir, 'routes', `${BENCH_SCHEMA_APP}.yaml`),
    routes(BENCH_SCHEMA_APP, BENCH_SCHEMA_HOST),
  );
  mkdirSync(join(configDir, 'schema'));
  copyFileSync(
    join(ROOT, 'config', 'schema', 'prokov.yaml'),
    join(configDir, 'schema', `${BENCH_SCHEMA_APP}.yaml`),
  );
  const port = await freePort();
  // The gateway's /metrics listener is on as in production; BENCH_METRICS=0 measures without it.
  const metrics = process.env.BENCH_METRICS === '0' ? [] : ['-metrics-port', String(await freePort())];
  const prof = options.profDir;
  const c = configDir;
  const controlSocket = join(runDir, 'sogoctl.sock');
  writeFileSync(
    join(configDir, 'sogoctl.yaml'),
    `supervisor:
  health_interval: 2s
  restart_delay: 500ms
  max_restarts: 5
  stop_timeout: 10s
  log_file: ${join(logDir, 'sogoctl.log')}
  control_socket: ${controlSocket}
services:
${service('sogoms-logs', ['-config', c, '-socket', `${runDir}/sogoms-logs.1.sock`, '-logdir', logDir], `health_socket: ${runDir}/sogoms-logs.1.sock`, prof)}
${service('sogoms-db', ['-config', c, '-socket', `${runDir}/sogoms-db.{n}.sock`], `health_socket: ${runDir}/sogoms-db.{n}.sock`, prof, `    instances: ${options.dbInstances}\n    depends_on: [sogoms-logs]`)}
${service('sogoms-smtp', ['-config', c, '-socket', `${runDir}/sogoms-smtp.1.sock`], `health_socket: ${runDir}/sogoms-smtp.1.sock`, prof, '    depends_on: [sogoms-logs]')}
${service('sogoway', ['-config', c, '-port', String(port), '-host', '127.0.0.1', '-rundir', runDir, ...metrics], `health_url: http://127.0.0.1:${port}/health`, prof, '    depends_on: [sogoms-db, sogoms-logs]')}
`,
  );

  const sogoctl = spawn(join(BIN, 'sogoctl'), ['-config', configDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  sogoctl.stderr?.on('data', (d) => {
    stderr += d;
  });
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    sogoctl.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const log = () => {
    try {
      return readFileSync(join(logDir, 'sogoctl.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  try {
    const died = exit.then((code) => {
      throw new Error(`sogoctl exited (${code})`);
    });
    died.catch(() => {}); // also settles after a normal stop, when nobody waits on it
    await Promise.race([
      waitFor(
        async () => exited === undefined && (await fetch(`${url}/health`)).ok,
        60_000,
        'platform health',
      ),
      died,
    ]);
  } catch (err) {
    sogoctl.kill('SIGTERM');
    await exit;
    throw new Error(`platform did not start: ${String(err)}\n${stderr}\n${log()}`);
  }
  return {
    url,
    port,
    jwtSecret,
    controlSocket,
    sogoctl,
    async stop() {
      if (exited === undefined) sogoctl.kill('SIGTERM');
      const code = await exit;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
