// The built bin/sogoms-logs as sogoctl runs it: killed with SIGKILL under load it loses no acknowledged line;
// restarted on the stale socket it appends to the same file; SIGTERM stops it with exit code 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { callOnce, createServiceClient } from '@sogoms/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, listDir, readLines, tempDir, writeConfig } from './helpers.js';

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
