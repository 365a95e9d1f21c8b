// A small platform for the sogoms-cron tests: real bin/sogoms-logs, sogoms-db, sogoms-smtp (file transport)
// and sogoms-cron processes on a temporary config tree and run directory, on SQLite or MariaDB.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import Database from 'better-sqlite3';
import { ensureBuilt } from '../../../tests/helpers/build.js';
import { MARIADB, type TestDatabase } from '../../../tests/helpers/mariadb.js';
import { waitFor } from '../../../tests/helpers/platform.js';

export const APP = 'demo';

export interface CronPlatformOptions {
  /** The cron/demo.yaml text. */
  cron: string;
  /** emails/demo/{name}.yaml files. */
  emails?: Record<string, string>;
  /** SQL run on the SQLite file before start (ignored with `mariadb`). */
  sqliteSchema?: string;
  /** Use this MariaDB database instead of a SQLite file. */
  mariadb?: TestDatabase;
  /** Name written in the claim rows. */
  hostId?: string;
  /** Start sogoms-smtp (mail jobs). */
  smtp?: boolean;
}

export interface CronPlatform {
  dir: string;
  configDir: string;
  runDir: string;
  logDir: string;
  mailDir: string;
  sqliteFile?: string;
  cronSocket: string;
  /** The cron_run events of sogoms-logs' event files for the app. */
  runEvents(): Record<string, unknown>[];
  /** The .eml files written by sogoms-smtp. */
  mails(): string[];
  /** sogoms-cron's own stdout/stderr. */
  cronOutput(): string;
  stop(): Promise<void>;
}

/** Starts logs, db, (smtp) and cron; resolves once sogoms-cron answers `health`. */
export async function startCronPlatform(opts: CronPlatformOptions): Promise<CronPlatform> {
  for (const app of ['sogoms-logs', 'sogoms-db', 'sogoms-smtp', 'sogoms-cron']) ensureBuilt(app);
  const dir = mkdtempSync(join(tmpdir(), 'sgc-'));
  const configDir = join(dir, 'c');
  const runDir = join(dir, 'r');
  const logDir = join(dir, 'l');
  const mailDir = join(dir, 'm');
  for (const sub of [join(configDir, 'routes'), join(configDir, 'cron'), runDir, logDir, mailDir])
    mkdirSync(sub, { recursive: true });
  let database: string;
  let sqliteFile: string | undefined;
  if (opts.mariadb) {
    database = `database:
  driver: mysql
  host: ${MARIADB.host}
  port: ${MARIADB.port}
  user: ${MARIADB.user}
  password: "${MARIADB.password}"
  name: ${opts.mariadb.name}`;
  } else {
    sqliteFile = join(dir, 'demo.db');
    const sqlite = new Database(sqliteFile);
    sqlite.pragma('journal_mode = WAL');
    if (opts.sqliteSchema) sqlite.exec(opts.sqliteSchema);
    sqlite.close();
    database = `database:\n  driver: sqlite\n  file: ${sqliteFile}`;
  }
  writeFileSync(
    join(configDir, 'routes', `${APP}.yaml`),
    `app: ${APP}\nhosts: [demo.test]\n${database}\nauth:\n  jwt_secret: test-secret-0123456789abcdef0123456789\n` +
      `smtp:\n  transport: file\n  dir: ${mailDir}\n  from: noreply@demo.test\n`,
  );
  if (opts.emails) {
    mkdirSync(join(configDir, 'emails', APP), { recursive: true });
    for (const [name, text] of Object.entries(opts.emails))
      writeFileSync(join(configDir, 'emails', APP, `${name}.yaml`), text);
  }
  writeFileSync(join(configDir, 'cron', `${APP}.yaml`), opts.cron);

  const children: ChildProcess[] = [];
  let cronOutput = '';
  const start = async (name: string, extra: string[] = []): Promise<string> => {
    const socket = join(runDir, `${name}.1.sock`);
    const child = spawn(ensureBuilt(name), ['-config', configDir, '-socket', socket, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d;
      if (name === 'sogoms-cron') cronOutput += d;
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    children.push(child);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${output}`);
        return (await callOnce(socket, 'health', {}, 1000)) !== undefined;
      },
      20_000,
      `${name} health (${output.slice(0, 500)})`,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${output}`);
    });
    return socket;
  };
  await start('sogoms-logs', ['-logdir', logDir]);
  await start('sogoms-db');
  if (opts.smtp) await start('sogoms-smtp');
  const cronSocket = await start('sogoms-cron', ['-rundir', runDir, '-host-id', opts.hostId ?? 'host-a']);

  return {
    dir,
    configDir,
    runDir,
    logDir,
    mailDir,
    sqliteFile,
    cronSocket,
    runEvents() {
      const events: Record<string, unknown>[] = [];
      for (const name of readdirSync(logDir).filter(
        (n) => n.startsWith(`${APP}-`) && n.endsWith('-events.log'),
      ))
        for (const line of readFileSync(join(logDir, name), 'utf8').split('\n'))
          if (line.trim() !== '') events.push(JSON.parse(line) as Record<string, unknown>);
      return events.filter((e) => e.event === 'cron_run');
    },
    mails: () =>
      existsSync(mailDir)
        ? readdirSync(mailDir)
            .filter((n) => n.endsWith('.eml'))
            .sort()
            .map((n) => readFileSync(join(mailDir, n), 'utf8'))
        : [],
    cronOutput: () => cronOutput,
    async stop() {
      // Reverse order: cron first, so that it never calls a service already gone.
      for (const child of children.reverse()) {
        if (child.exitCode !== null) continue;
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads rows of the SQLite file (read-only connection, closed at once). */
export function sqliteRows(file: string, sql: string, args: unknown[] = []): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...(args as never[])) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
