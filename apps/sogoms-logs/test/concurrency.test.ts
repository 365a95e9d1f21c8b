// Many concurrent writers, in one process and across two service instances sharing the log directory:
// every acknowledged line is in the file, whole, exactly once.
import { join } from 'node:path';
import { createServiceClient, type ServiceClient } from '@sogoms/protocol';
import { type RunningService, startService } from '@sogoms/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { logsServiceDefinition } from '../src/definition.js';
import { MAX_WRITE_BYTES } from '../src/log-file.js';
import { listDir, readLines, silentLogger, tempDir, writeConfig } from './helpers.js';

const running: RunningService[] = [];
const clients: ServiceClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const service of running.splice(0)) await service.stop();
});

async function startInstance(configDir: string, logdir: string, socket: string): Promise<void> {
  const argv = ['-config', configDir, '-socket', socket, '-logdir', logdir];
  running.push(await startService(logsServiceDefinition, argv, silentLogger));
}

function client(sockets: string[]): ServiceClient {
  const c = createServiceClient({ sockets, connectionsPerSocket: 3, timeoutMs: 60_000 });
  clients.push(c);
  return c;
}

function onlyLogFile(logdir: string): string {
  const files = listDir(logdir);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^prokov-\d{8}-events\.log$/);
  return join(logdir, files[0]!);
}

describe('sogoms-logs under concurrent writers', () => {
  it('10,000 concurrent log_event calls from several clients give exactly 10,000 whole lines', async () => {
    const dir = tempDir();
    const logdir = join(dir, 'logs');
    const socket = join(dir, 'sogoms-logs.1.sock');
    await startInstance(writeConfig(), logdir, socket);
    const callers = [client([socket]), client([socket]), client([socket]), client([socket])];
    const total = 10_000;
    const answers = await Promise.all(
      Array.from({ length: total }, (_, seq) =>
        callers[seq % callers.length]!.call('log_event', {
          app_id: 'prokov',
          event: 'load',
          user_id: seq,
          data: { seq, pad: 'x'.repeat(seq % 300) },
        }),
      ),
    );
    expect(answers.every((a) => (a as { written: boolean }).written)).toBe(true);
    const lines = readLines(onlyLogFile(logdir));
    expect(lines).toHaveLength(total);
    const seqs = new Set(lines.map((l) => (l.data as { seq: number }).seq));
    expect(seqs.size).toBe(total);
    for (const line of lines) {
      expect(Object.keys(line)[0]).toBe('ts');
      expect(line.event).toBe('load');
      expect((line.data as { pad: string }).pad).toHaveLength((line.data as { seq: number }).seq % 300);
    }
  });

  it('two instances appending to the same file never interleave their lines', async () => {
    const dir = tempDir();
    const logdir = join(dir, 'logs');
    const config = writeConfig();
    const sockets = [join(dir, 'sogoms-logs.1.sock'), join(dir, 'sogoms-logs.2.sock')];
    await startInstance(config, logdir, sockets[0]!);
    await startInstance(config, logdir, sockets[1]!);
    const perInstance = 3_000;
    const calls: Promise<unknown>[] = [];
    for (const [n, socket] of sockets.entries()) {
      const c = client([socket]);
      for (let seq = 0; seq < perInstance; seq++) {
        // Lines of very different sizes, a few larger than one write, make a torn or mixed line likely to show.
        const size = seq % 500 === 0 ? MAX_WRITE_BYTES * 2 : (seq * 37) % 4_000;
        calls.push(
          c.call('log_event', {
            app_id: 'prokov',
            event: `instance-${n}`,
            data: { seq, fill: String(n).repeat(size) },
          }),
        );
      }
    }
    await Promise.all(calls);
    const lines = readLines(onlyLogFile(logdir));
    expect(lines).toHaveLength(2 * perInstance);
    for (const [n] of sockets.entries()) {
      const mine = lines.filter((l) => l.event === `instance-${n}`);
      expect(new Set(mine.map((l) => (l.data as { seq: number }).seq)).size).toBe(perInstance);
      for (const line of mine) {
        const { seq, fill } = line.data as { seq: number; fill: string };
        const size = seq % 500 === 0 ? MAX_WRITE_BYTES * 2 : (seq * 37) % 4_000;
        expect(fill).toBe(String(n).repeat(size));
      }
    }
  });
});
