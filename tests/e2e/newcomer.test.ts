// Issue "newcomer": the README's start command in a fresh clone — install, build, ./var, SQLite database,
// every service — then the README's curl session, Ctrl-C, no process left, and a second run keeping the data.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, httpRequest, ROOT, waitFor } from '../helpers/platform.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first command of the README's "two commands" block: the one that starts the demo. */
function startCommand(): string {
  const block = /## The two commands[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const line = block.split('\n').find((l) => /start/.test(l)) ?? '';
  return line.replace(/#.*$/, '').trim();
}

/** The README's curl session, for a given port. */
function curlSession(port: number): string {
  const block = /## A first session[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block.replaceAll('localhost:8080', `localhost:${port}`);
}

/** Pids of processes running in the folder (their working directory is in it: every service inherits it). */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

describe('a newcomer runs the README', () => {
  const clone = mkdtempSync(join(tmpdir(), 'sg-clone-'));
  afterAll(() => {
    for (const pid of processesUnder(clone)) process.kill(pid, 'SIGKILL');
    rmSync(clone, { recursive: true, force: true });
  });

  const start = async (port: number): Promise<{ child: ChildProcess; output: () => string }> => {
    const [cmd, ...args] = startCommand().split(/\s+/);
    const env = { ...process.env, SOGOMS_PORT: String(port) };
    // Its own process group, like a terminal's foreground job: Ctrl-C is a SIGINT to the whole group.
    const child = spawn(cmd!, args, { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`start exited: ${output}`);
        return output.includes('SOGOMS is up') && (await fetch(`http://127.0.0.1:${port}/health`)).ok;
      },
      480_000,
      'the demo platform',
    ).catch((err) => {
      throw new Error(`${String(err)}\n${output.slice(-4000)}`);
    });
    return { child, output: () => output };
  };

  /** Ctrl-C; resolves once the command is gone and sogoctl has logged the ordered stop. */
  const stop = async (child: ChildProcess) => {
    const exited = new Promise<string>((r) =>
      child.once('exit', (code, signal) => r(signal ?? String(code))),
    );
    process.kill(-child.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
    // npm re-raises the signal its script got; the script itself exits with sogoctl's status.
    expect(['0', 'SIGINT']).toContain(await exited);
    await waitFor(
      async () =>
        readFileSync(join(clone, 'var', 'log', 'sogoctl.log'), 'utf8')
          .trimEnd()
          .endsWith('"msg":"every service stopped"}'),
      15_000,
      'sogoctl to log the ordered stop',
    );
  };

  it('starts with the README command, serves the curl session, and stops on Ctrl-C leaving nothing behind', async () => {
    expect(startCommand()).toMatch(/^(npm|pnpm) start$/);
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    const port = await freePort();
    const { child, output } = await start(port);
    expect(output()).toContain(`http://localhost:${port}`);
    expect(existsSync(join(clone, 'var', 'data', 'prokov.db'))).toBe(true);
    for (const sub of ['run', 'log', 'mail', 'secrets'])
      expect(existsSync(join(clone, 'var', sub)), sub).toBe(true);

    const session = spawnSync('bash', ['-euo', 'pipefail', '-c', curlSession(port)], { encoding: 'utf8' });
    expect(session.status, session.stderr).toBe(0);
    expect(session.stdout).toContain('"success":true');
    expect(session.stdout).toContain('"Created"');
    expect(session.stdout).toContain('Garden');

    await stop(child);
    await waitFor(async () => processesUnder(clone).length === 0, 15_000, 'every process to stop');
    expect(readdirSync(join(clone, 'var', 'mail')).some((f) => f.endsWith('.eml'))).toBe(true);
  }, 600_000);

  it('keeps the data when started a second time', async () => {
    const port = await freePort();
    const { child } = await start(port);
    try {
      const login = await httpRequest(
        `http://127.0.0.1:${port}/api/auth/login`,
        'POST',
        { host: 'localhost', 'content-type': 'application/json' },
        JSON.stringify({ email: 'ada@example.com', password: 'correct-horse' }),
      );
      expect(login.status).toBe(200);
      expect(JSON.stringify(login.body.data)).toContain('Garden');
    } finally {
      await stop(child);
    }
    await waitFor(async () => processesUnder(clone).length === 0, 15_000, 'every process to stop');
  }, 600_000);
});
