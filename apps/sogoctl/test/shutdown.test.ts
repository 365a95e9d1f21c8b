import { existsSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alive, ensureBuilt, Sandbox, waitFor } from './helpers/sandbox.js';

let box: Sandbox;
beforeAll(ensureBuilt);
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

describe('sogoctl stop and signals', () => {
  it('on SIGTERM stops dependents first, SIGKILLs what ignores SIGTERM after stop_timeout, exits 0, leaves no child', async () => {
    box.writeConfig(
      {
        base: { fixture: 'health-service' },
        mid: { fixture: 'health-service', dependsOn: ['base'] },
        top: { fixture: 'health-service', dependsOn: ['mid'] },
        stubborn: { fixture: 'ignore-term', socket: true, dependsOn: ['base'] },
      },
      { stop_timeout: '1s' },
    );
    const run = box.start();
    await waitFor('ready', () => run.stdout.includes('"event":"ready"'));
    const pids = box
      .records()
      .filter((r) => r.event === 'start')
      .map((r) => r.pid);
    expect(pids).toHaveLength(4);

    run.signal('SIGTERM');
    const exit = await run.exited;
    expect(exit).toEqual({ code: 0, signal: null });

    const term = (name: string) => box.events(name, 'term')[0]!.t;
    expect(term('top')).toBeLessThanOrEqual(term('mid'));
    expect(term('mid')).toBeLessThanOrEqual(term('base'));
    expect(box.events('stubborn', 'term-ignored')).toHaveLength(1);
    const log = box.logLines();
    expect(log).toContainEqual(expect.objectContaining({ event: 'kill', service: 'stubborn' }));
    const stubbornStopped = log.find((l) => l['event'] === 'stopped' && l['service'] === 'stubborn')!;
    expect(stubbornStopped['msg']).toContain('SIGKILL');
    // base goes down only once stubborn, which depends on it, is gone.
    expect(term('base')).toBeGreaterThanOrEqual(Date.parse(String(stubbornStopped['ts'])));
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(log.at(-1)).toMatchObject({ event: 'stopped', msg: 'every service stopped' });
    expect(existsSync(box.controlSocket)).toBe(false);
  });

  it('forwards SIGHUP to every child without restarting any, and stops on SIGINT', async () => {
    box.writeConfig({
      api: { fixture: 'health-service', instances: 2 },
      worker: { fixture: 'chatty', dependsOn: ['api'] },
    });
    const run = box.start();
    await waitFor('ready', () => run.stdout.includes('"event":"ready"'));
    // worker has no health check: "healthy" once spawned, maybe before its SIGHUP handler is installed.
    await waitFor('worker running', () => box.events('worker', 'start').length === 1);

    run.signal('SIGHUP');
    for (const name of ['api.1', 'api.2', 'worker']) {
      await waitFor(`SIGHUP at ${name}`, () => box.events(name, 'hup').length === 1);
    }
    expect(run.running).toBe(true);
    expect(box.records().filter((r) => r.event === 'start')).toHaveLength(3);

    run.signal('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    for (const r of box.records()) expect(alive(r.pid)).toBe(false);
  });
});

describe('sogoctl forced stop', () => {
  it('a second SIGTERM during the stop SIGKILLs what is left at once', async () => {
    box.writeConfig({ stubborn: { fixture: 'ignore-term', socket: true } }, { stop_timeout: '60s' });
    const run = box.start();
    await waitFor('ready', () => run.stdout.includes('"event":"ready"'));
    const pid = box.events('stubborn', 'start')[0]!.pid;
    run.signal('SIGTERM');
    await waitFor('SIGTERM ignored', () => box.events('stubborn', 'term-ignored').length === 1);
    run.signal('SIGTERM');
    // Far below the 60 s stop_timeout: the second signal did it.
    const exit = await waitFor('sogoctl gone', () => !run.running && run.exited, 15_000);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(alive(pid)).toBe(false);
    expect(run.stdout).toContain('"event":"force"');
  });
});
