// The built bin/sogoms-logs as sogoctl runs it: killed with SIGKILL under load it loses no acknowledged line;
// restarted on the stale socket it appends to the same file; SIGTERM stops it with exit code 0. Issue 12: an
// unwritable log directory shows in health as degraded; rotated files are replaced, and released on SIGHUP.
import { type ChildProcess, spawn } from 'node:child_process';
import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOnce, createServiceClient, ErrorCode } from '@sogoms/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../../tests/helpers/rejection.js';
import { ensureBuilt, listDir, openPaths, readLines, tempDir, writeConfig } from './helpers.js';

let bin = '';
const children: ChildProcess[] = [];
beforeAll(() => {
  bin = ensureBuilt('sogoms-logs');
});
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

async function startBinary(args: string[]): Promise<{ child: ChildProcess; exited: Promise<Exit> }> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const socket = args[args.indexOf('-socket') + 1]!;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sogoms-logs exited at start: ${output}`);
    try {
      await callOnce(socket, 'health', {}, 1_000);
      return { child, exited };
    } catch (err) {
      if (i > 200) throw new Error(`sogoms-logs did not answer health: ${String(err)}\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Sends log_event calls, `width` at a time, until stopped; returns the acknowledged sequence numbers. */
function load(socket: string, phase: string, width: number, onAck: (count: number) => void) {
  const client = createServiceClient({ sockets: [socket], timeoutMs: 10_000 });
  const acked: number[] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const seq = next++;
      try {
        await client.call('log_event', {
          app_id: 'prokov',
          event: phase,
          data: { seq, fill: 'z'.repeat(seq % 700) },
        });
        acked.push(seq);
        onAck(acked.length);
      } catch {
        return; // the process is gone: unanswered calls are not acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: width }, worker)).then(() => client.close());
  return { acked, done, stop: () => (stopped = true) };
}

describe('bin/sogoms-logs', () => {
  it('keeps every acknowledged line across SIGKILL and a restart, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const logdir = join(dir, 'logs');
    const socket = join(dir, 'sogoms-logs.1.sock');
    const args = ['-config', writeConfig(), '-socket', socket, '-logdir', logdir];

    const first = await startBinary(args);
    let killed = false;
    const phase1 = load(socket, 'phase1', 64, (count) => {
      if (count >= 3_000 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    expect((await first.exited).signal).toBe('SIGKILL');
    await phase1.done;
    expect(phase1.acked.length).toBeGreaterThanOrEqual(3_000);

    const files = listDir(logdir);
    expect(files).toHaveLength(1);
    const file = join(logdir, files[0]!);
    const afterKill = readLines(file); // throws on a torn or partial line
    const inFile = new Set(afterKill.map((l) => (l.data as { seq: number }).seq));
    expect(phase1.acked.filter((seq) => !inFile.has(seq))).toEqual([]);

    // The SIGKILLed process left its socket file behind: the new one replaces it and appends to the same file.
    const second = await startBinary(args);
    const phase2 = load(socket, 'phase2', 16, (count) => {
      if (count >= 500) phase2.stop();
    });
    await phase2.done;
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const lines = readLines(file);
    expect(lines.slice(0, afterKill.length)).toEqual(afterKill);
    const phase2Seqs = new Set(
      lines.filter((l) => l.event === 'phase2').map((l) => (l.data as { seq: number }).seq),
    );
    expect(phase2.acked.filter((seq) => !phase2Seqs.has(seq))).toEqual([]);
    expect(phase2Seqs.size).toBe(phase2.acked.length);
  });
});

describe('bin/sogoms-logs rotation and degraded health', () => {
  async function start() {
    const dir = tempDir();
    const logdir = join(dir, 'logs');
    const socket = join(dir, 'sogoms-logs.1.sock');
    const { child } = await startBinary(['-config', writeConfig(), '-socket', socket, '-logdir', logdir]);
    const log = (event: string) => callOnce(socket, 'log_event', { app_id: 'prokov', event }, 5_000);
    const health = () => callOnce(socket, 'health', {}, 5_000) as Promise<Record<string, unknown>>;
    return { child, logdir, log, health };
  }
  const events = (file: string) => readLines(file).map((l) => l.event);

  it('an unwritable log directory: log_event answers LOG_WRITE_ERROR and health says degraded, not ok, until fixed', async () => {
    const { logdir, log, health } = await start();
    await log('before');
    expect(await health()).toMatchObject({ status: 'ok' });
    const [name] = listDir(logdir);
    // Root ignores permission bits: a file where the directory should be stops every write, even root's.
    renameSync(logdir, `${logdir}.old`);
    writeFileSync(logdir, '');

    expect((await rejection(log('lost'))).code).toBe(ErrorCode.LOG_WRITE_ERROR);
    const degraded = await health();
    expect(degraded).toMatchObject({ status: 'degraded', service: 'sogoms-logs' });
    expect(degraded.problems).toContainEqual({ path: logdir, error: 'ENOTDIR' });
    // The line did not silently go to the file still open in the moved directory.
    expect(events(join(`${logdir}.old`, name!))).toEqual(['before']);

    unlinkSync(logdir);
    renameSync(`${logdir}.old`, logdir);
    await log('after');
    const healthy = await health();
    expect(healthy).toMatchObject({ status: 'ok' });
    expect(healthy).not.toHaveProperty('problems');
    expect(events(join(logdir, name!))).toEqual(['before', 'after']);
  });

  it('log rotation: a renamed or deleted file is replaced by the next line; SIGHUP releases the rotated file', async () => {
    const { child, logdir, log } = await start();
    await log('a');
    const [name] = listDir(logdir);
    const file = join(logdir, name!);

    renameSync(file, `${file}.1`);
    await log('b');
    expect(events(`${file}.1`)).toEqual(['a']);
    expect(events(file)).toEqual(['b']);

    unlinkSync(file);
    await log('c');
    expect(events(file)).toEqual(['c']);

    // logrotate without copytruncate: rename, then SIGHUP so that the process lets go of the old file.
    renameSync(file, `${file}.2`);
    expect(openPaths(child.pid!)).toContain(`${file}.2`);
    child.kill('SIGHUP');
    for (let i = 0; openPaths(child.pid!).includes(`${file}.2`); i++) {
      if (i > 200) throw new Error('the rotated file is still open after SIGHUP');
      await new Promise((r) => setTimeout(r, 25));
    }
    await log('d');
    expect(events(`${file}.2`)).toEqual(['c']);
    expect(events(file)).toEqual(['d']);
    expect(child.exitCode).toBeNull();
    // Issue 15: no log file of the platform is world-readable.
    for (const f of [file, `${file}.1`, `${file}.2`])
      expect((statSync(f).mode & 0o777).toString(8)).toBe('640');
  });
});
