// The in-process baseline (baseline.ts) as a child process of a bench: started on a free port against the
// bench's database, and stopped at the end whatever happened.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../tests/helpers/platform.js';

export interface BaselineOptions {
  database: string;
  jwtSecret: string;
  /** Writes the baseline's CPU profile into `${profDir}/baseline`. */
  profDir?: string;
}

/** Forks the baseline; `ready` resolves with its URL once it listens (the child is known at once, for cleanup). */
export async function forkBaseline(
  opts: BaselineOptions,
): Promise<{ child: ChildProcess; ready: Promise<string> }> {
  const port = await freePort();
  if (opts.profDir) mkdirSync(join(opts.profDir, 'baseline'), { recursive: true });
  const child = fork(fileURLToPath(new URL('./baseline.ts', import.meta.url)), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(opts.profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.profDir, 'baseline')}`] : []),
    ],
    env: {
      ...process.env,
      BASELINE_PORT: String(port),
      BASELINE_DB: opts.database,
      BASELINE_SECRET: opts.jwtSecret,
    },
  });
  const ready = new Promise<string>((resolveReady, reject) => {
    child.once('message', () => resolveReady(`http://127.0.0.1:${port}`));
    child.once('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
  });
  return { child, ready };
}

/** Stops the baseline (disconnecting its IPC channel ends it) and waits for its exit. */
export async function stopBaseline(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.disconnect();
  await gone;
}
