import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, Sandbox, waitFor } from './helpers/sandbox.js';

let box: Sandbox;
beforeAll(ensureBuilt);
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

describe('sogoctl log', () => {
  it('writes every child line to the log file tagged with service and instance, beside its own events', async () => {
    box.writeConfig({ talk: { fixture: 'chatty', instances: 2 }, svc: { fixture: 'health-service' } });
    const run = box.start();
    await waitFor('both talkers done', () => box.records().filter((r) => r.event === 'written').length === 2);
    run.signal('SIGTERM');
    expect((await run.exited).code).toBe(0);

    const log = box.logLines();
    const lines = log.filter((l) => l['stream'] !== undefined);
    for (const n of [1, 2]) {
      const name = `talk.${n}`;
      const mine = lines.filter((l) => l['service'] === 'talk' && l['instance'] === n);
      expect(mine).toContainEqual(
        expect.objectContaining({ stream: 'stdout', level: 'info', msg: `hello from ${name}` }),
      );
      expect(mine).toContainEqual(expect.objectContaining({ stream: 'stderr', msg: `warning from ${name}` }));
      // Written in two pieces, 150 ms apart: still one line.
      expect(mine).toContainEqual(expect.objectContaining({ msg: `first half second half from ${name}` }));
      expect(mine).toContainEqual(expect.objectContaining({ msg: `été ✓ from ${name}` }));
      expect(mine).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: `json from ${name}`,
          line: expect.objectContaining({ detail: 42 }),
        }),
      );
      const pid = box.events(name, 'start')[0]!.pid;
      expect(log).toContainEqual(
        expect.objectContaining({ event: 'spawned', service: 'talk', instance: n, pid }),
      );
    }
    expect(log).toContainEqual(expect.objectContaining({ event: 'healthy', service: 'svc', instance: 1 }));
    expect(log).toContainEqual(expect.objectContaining({ event: 'stopped', service: 'svc', instance: 1 }));
    for (const l of log) expect(typeof l['ts']).toBe('string');

    // The console shows the supervisor's events, not the children's chatter.
    expect(run.stdout).toContain('"event":"spawned"');
    expect(run.stdout).not.toContain('hello from talk');
  });
});

describe('sogoctl log file mode', () => {
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

  it('sogoctl.log is 0640, not world-readable 0644: an existing file is chmodded, a reopened one created 0640', async () => {
    // A log file left 0644 by an older version: its lines (MariaDB messages, user input) were world-readable.
    mkdirSync(dirname(box.logFile), { recursive: true });
    writeFileSync(box.logFile, '{"old":true}\n', { mode: 0o644 });
    expect(mode(box.logFile)).toBe('644');
    box.writeConfig({ svc: { fixture: 'health-service' } });
    const run = box.start();
    await waitFor('ready', () => run.stdout.includes('"event":"ready"'));
    expect(mode(box.logFile)).toBe('640');
    expect(readFileSync(box.logFile, 'utf8').startsWith('{"old":true}\n')).toBe(true);

    // External rotation: move the file away, SIGHUP; the file sogoctl creates anew is 0640 too.
    renameSync(box.logFile, `${box.logFile}.1`);
    run.signal('SIGHUP');
    await waitFor('log reopened', () => existsSync(box.logFile));
    run.signal('SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(mode(box.logFile)).toBe('640');
    expect(box.logLines()).toContainEqual(expect.objectContaining({ event: 'stopped' }));
  });
});
