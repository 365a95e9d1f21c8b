// The service runtime on its own, with a tiny service: flags in both spellings, `health`, reload (valid,
// invalid, on file change), and the ordered shutdown of CONVENTIONS.md — in-flight work answered, then the
// socket gone, then the service's own resources closed.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type PlatformConfig } from '@sogoms/config';
import { callOnce, createServiceClient } from '@sogoms/protocol';
import { VERSION } from '@sogoms/version';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { prokovTree } from '../../config/test/fixtures.js';
import { makeTree, writeTree } from '../../config/test/helpers.js';
import { type RunningService, type ServiceDefinition, startService } from '../src/service.js';

interface Recorder {
  events: string[];
  configs: PlatformConfig[];
  logs: { msg: string; level?: number }[];
  release?: () => void;
}

/** A service whose `slow` action waits until the test releases it, recording what the runtime calls. */
function tinyService(rec: Recorder, reloadThrows = false): ServiceDefinition {
  return {
    name: 'sogoms-tiny',
    flags: [{ name: 'greeting', description: 'what hello answers', default: 'hi' }],
    create: ({ config, flags }) => {
      rec.configs.push(config);
      return {
        actions: {
          hello: () => ({ greeting: flags.greeting, apps: Object.keys(config.apps) }),
          slow: () =>
            new Promise((resolve) => {
              rec.events.push('slow started');
              rec.release = () => {
                rec.events.push('slow finished');
                resolve({ done: true });
              };
            }),
        },
        health: () => ({ apps: rec.configs.length }),
        reload: (next) => {
          if (reloadThrows) throw new Error('cannot apply');
          rec.configs.push(next);
        },
        close: async () => {
          rec.events.push('instance closed');
        },
      };
    },
  };
}

function recordingLogger(rec: Recorder) {
  return pino(
    { level: 'info' },
    { write: (line: string) => rec.logs.push(JSON.parse(line) as { msg: string }) },
  );
}

const dirs: string[] = [];
const running: RunningService[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(rec: Recorder, argvExtra: string[] = [], reloadThrows = false) {
  const config = makeTree(prokovTree());
  const runDir = mkdtempSync(join(tmpdir(), 'sg-rt-'));
  dirs.push(runDir);
  const socket = join(runDir, 'sogoms-tiny.1.sock');
  const service = await startService(
    tinyService(rec, reloadThrows),
    ['-config', config, '--socket', socket, ...argvExtra],
    recordingLogger(rec),
  );
  running.push(service);
  return { service, socket, config };
}

const until = async (cond: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('service runtime', () => {
  it('serves health with the service fields and its own, and reads its flags in both spellings', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const { socket } = await start(rec, ['-greeting=salut']);
    const health = (await callOnce(socket, 'health')) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      service: 'sogoms-tiny',
      version: VERSION,
      pid: process.pid,
    });
    expect(health['apps']).toBe(1);
    expect(await callOnce(socket, 'hello')).toEqual({ greeting: 'salut', apps: ['prokov'] });
  });

  it('refuses to start on a broken config tree, with no socket left behind', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const config = makeTree({ ...prokovTree(), 'routes/prokov.yaml': 'app: prokov\nhosts: 42\n' });
    const socket = join(config, 'tiny.sock');
    const failure = await startService(
      tinyService(rec),
      ['--config', config, '-socket', socket],
      recordingLogger(rec),
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(existsSync(socket)).toBe(false);
    expect(rec.configs).toHaveLength(0);
  });

  it('stops in order: in-flight request answered, socket removed, then the service closed', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const { service, socket } = await start(rec);
    const client = createServiceClient({ sockets: [socket], timeoutMs: 5_000 });
    const answer = client.call('slow').then((r) => {
      rec.events.push('answer received');
      return r;
    });
    await until(() => rec.release !== undefined);
    const stopped = service.stop().then(() => rec.events.push('stopped'));
    running.length = 0;
    await until(() => !existsSync(socket));
    // No new connection while draining, and the service's resources are still open.
    await expect(callOnce(socket, 'health', {}, 500)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(rec.events).toEqual(['slow started']);
    rec.release!();
    expect(await answer).toEqual({ done: true });
    await stopped;
    client.close();
    expect(rec.events).toEqual([
      'slow started',
      'slow finished',
      'answer received',
      'instance closed',
      'stopped',
    ]);
  });

  it('applies a valid reload, and keeps the old config when the new one is invalid or cannot be applied', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const { service, config } = await start(rec);
    writeTree(config, { 'routes/prokov.yaml': routesWithHost('new.example.com') });
    expect(service.reload()).toBe(true);
    await until(() => rec.configs.length === 2);
    expect(rec.configs[1]!.apps['prokov']!.hosts).toEqual(['new.example.com']);

    writeFileSync(join(config, 'routes/prokov.yaml'), 'app: prokov\nhosts: [\n');
    expect(service.reload()).toBe(false);
    expect(rec.configs).toHaveLength(2);
    expect(rec.logs.map((l) => l.msg)).toContain('invalid configuration refused, previous one kept');

    const rec2: Recorder = { events: [], configs: [], logs: [] };
    const second = await start(rec2, [], true);
    expect(second.service.reload()).toBe(true);
    await until(() => rec2.logs.some((l) => l.msg === 'reload failed, previous configuration kept'));
    expect(rec2.configs).toHaveLength(1);
  });

  it('reloads by itself when a file of the tree changes', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const { config } = await start(rec);
    writeTree(config, { 'routes/prokov.yaml': routesWithHost('watched.example.com') });
    await until(() => rec.configs.length >= 2, 5_000);
    expect(rec.configs.at(-1)!.apps['prokov']!.hosts).toEqual(['watched.example.com']);
  });
});

// Hardening issue, item 13: a file ignored on purpose (notes.yml, a file directly in queries/) was skipped
// silently; a running service says so in its log at start and at each reload.
describe('ignored files', () => {
  it('are reported as a warning at start and again at a reload, naming the file', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const config = makeTree(prokovTree());
    writeTree(config, { 'queries/prokov/notes.yml': 'list: { query: "SELECT 1" }\n' });
    const runDir = mkdtempSync(join(tmpdir(), 'sg-rt-'));
    dirs.push(runDir);
    const service = await startService(
      tinyService(rec),
      ['-config', config, '--socket', join(runDir, 'sogoms-tiny.1.sock')],
      recordingLogger(rec),
    );
    running.push(service);
    const warnings = () =>
      rec.logs.filter(
        (l) =>
          l.level === 40 && (l as { file?: string }).file === join(config, 'queries', 'prokov', 'notes.yml'),
      );
    await until(() => warnings().length === 1);
    expect(warnings()[0]!.msg).toMatch(/ignored: only \*\.yaml files are read/);
    writeTree(config, { 'queries/loose.yaml': 'list: { query: "SELECT 1" }\n' });
    expect(service.reload()).toBe(true);
    await until(() => warnings().length === 2);
    await until(() =>
      rec.logs.some((l) => (l as { file?: string }).file === join(config, 'queries', 'loose.yaml')),
    );
  });
});

// Hardening issue, item 10: a refused reload became an outage at the next restart (exit 2 in a loop).
describe('last good configuration', () => {
  it('restarts on the last good config when the files are invalid, says so in health, and switches back once fixed', async () => {
    const rec: Recorder = { events: [], configs: [], logs: [] };
    const config = makeTree(prokovTree());
    const runDir = mkdtempSync(join(tmpdir(), 'sg-rt-'));
    dirs.push(runDir);
    const socket = join(runDir, 'sogoms-tiny.1.sock');
    const argv = ['-config', config, '-socket', socket];
    const first = await startService(tinyService(rec), argv, recordingLogger(rec));
    const snapshot = join(runDir, 'sogoms-tiny.1.last-good.json');
    expect(statSync(snapshot).mode & 0o777).toBe(0o600);
    expect((await callOnce(socket, 'health')) as object).toMatchObject({ config: 'live' });
    await first.stop();

    // The tree breaks while the service is down (or a refused edit stays, then the process dies).
    writeFileSync(join(config, 'routes/prokov.yaml'), 'app: prokov\nhosts: [\n');
    const rec2: Recorder = { events: [], configs: [], logs: [] };
    const second = await startService(tinyService(rec2), argv, recordingLogger(rec2));
    running.push(second);
    expect(await callOnce(socket, 'hello')).toEqual({ greeting: 'hi', apps: ['prokov'] });
    const health = (await callOnce(socket, 'health')) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', config: 'last-good', config_problem_count: 1 });
    expect(health['config_problems']).toEqual([
      expect.stringMatching(/routes\/prokov\.yaml: YAML syntax error at line \d+/),
    ]);
    expect(rec2.logs).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: expect.stringContaining('starting: the configuration files are invalid; SERVING THE LAST GOOD'),
      }),
    );
    expect(second.reload()).toBe(false);
    expect(rec2.logs.filter((l) => l.msg.includes('SERVING THE LAST GOOD'))).toHaveLength(2);

    writeTree(config, { 'routes/prokov.yaml': routesWithHost('fixed.example.com') });
    expect(second.reload()).toBe(true);
    await until(() => rec2.configs.length === 2);
    expect(rec2.configs[1]!.apps['prokov']!.hosts).toEqual(['fixed.example.com']);
    expect((await callOnce(socket, 'health')) as object).toMatchObject({ config: 'live' });
    expect(JSON.stringify(JSON.parse(readFileSync(snapshot, 'utf8')))).toContain('fixed.example.com');
  });
});

/** The fixture's routes file with its hosts replaced. */
function routesWithHost(host: string): string {
  return prokovTree()['routes/prokov.yaml']!.replace(/hosts: \[.*\]/, `hosts: [${host}]`);
}
