import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alive, ensureBuilt, freePort, runSogoctl, Sandbox, waitFor } from './helpers/sandbox.js';

let box: Sandbox;
beforeAll(ensureBuilt);
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

describe('sogoctl restarts', () => {
  it('restarts a crashed process after restart_delay, doubling the delay on repeated crashes', async () => {
    box.writeConfig(
      { crash: { fixture: 'exit-at-once', args: ['--after', '300'] } },
      { restart_delay: '300ms' },
    );
    box.start();
    await waitFor('a third start', () => box.events('crash', 'start').length >= 3);
    const starts = box.events('crash', 'start');
    const exits = box.events('crash', 'exit');
    // Timers may fire a millisecond early against another process's clock reading: allow that much.
    expect(starts[1]!.t - exits[0]!.t).toBeGreaterThanOrEqual(299);
    expect(starts[2]!.t - exits[1]!.t).toBeGreaterThanOrEqual(599);
    const delays = box
      .logLines()
      .filter((l) => l['event'] === 'restarting')
      .map((l) => l['delay_ms']);
    expect(delays.slice(0, 2)).toEqual([300, 600]);
  });

  it('kills and restarts a process that stops answering its health checks', async () => {
    box.writeConfig({ hung: { fixture: 'goes-unhealthy', args: ['--answers', '2'] } });
    box.start();
    await waitFor('a second start', () => box.events('hung', 'start').length >= 2);
    const [first] = box.events('hung', 'start');
    expect(box.events('hung', 'term').map((r) => r.pid)).toContain(first!.pid);
    await waitFor('the first process gone', () => !alive(first!.pid));
    const failed = box.logLines().filter((l) => l['service'] === 'hung' && l['event'] === 'health_failed');
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(box.logLines()).toContainEqual(expect.objectContaining({ event: 'unhealthy', service: 'hung' }));
  });

  it('marks a crash loop FATAL, loudly, while the other services keep running', async () => {
    box.writeConfig(
      { steady: { fixture: 'health-service' }, crash: { fixture: 'exit-at-once' } },
      { max_restarts: 2, restart_delay: '100ms' },
    );
    const run = box.start();
    const status = await waitFor('crash FATAL in status', async () => {
      const s = await runSogoctl(['status', '-config', box.dir]);
      return /^crash\s+1\s+-\s+FATAL\s+(?:-\s+)?-\s+2\s+code 3, /m.test(s.stdout) && s;
    });
    const steady = box.events('steady', 'start');
    expect(steady).toHaveLength(1);
    expect(status.stdout).toMatch(new RegExp(`^steady\\s+1\\s+${steady[0]!.pid}\\s+healthy\\s`, 'm'));
    expect(run.stderr).toContain('"level":"fatal"');
    expect(run.stderr).toContain('FATAL');
    expect(box.logLines()).toContainEqual(expect.objectContaining({ level: 'fatal', service: 'crash' }));

    // It stays down: well past the longest backoff, no new start.
    await sleep(1000);
    expect(box.events('crash', 'start')).toHaveLength(3);
    expect(alive(steady[0]!.pid)).toBe(true);

    // An operator's restart lifts the FATAL state.
    const restarted = await runSogoctl(['restart', 'crash', '-config', box.dir]);
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain('restarted 1 instance(s) of crash');
    await waitFor('a fourth start', () => box.events('crash', 'start').length === 4);
  });

  it('restarts every instance of a service on `sogoctl restart NAME`, and refuses an unknown name', async () => {
    box.writeConfig({ web: { fixture: 'health-service', instances: 2 } });
    const run = box.start();
    await waitFor('ready', () => run.stdout.includes('"event":"ready"'));
    const before = box.records().filter((r) => r.event === 'start');

    const result = await runSogoctl(['restart', 'web', '-config', box.dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('restarted 2 instance(s) of web');
    // The answer comes once the old processes are gone and the new ones spawned.
    for (const old of before) {
      expect(box.events(old.name, 'term').map((r) => r.pid)).toContain(old.pid);
      expect(alive(old.pid)).toBe(false);
      const fresh = await waitFor(`a new ${old.name}`, () => box.events(old.name, 'start')[1]);
      expect(result.stdout).toMatch(
        new RegExp(
          `^web\\s+${old.name.slice(4)}\\s+${fresh.pid}\\s+starting\\s+(?:-\\s+)?\\d+s\\s+1\\s`,
          'm',
        ),
      );
    }

    const unknown = await runSogoctl(['restart', 'ghost', '-config', box.dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown service: ghost');
    expect(unknown.stderr).toContain('UNKNOWN_SERVICE');
    // Issue "developer's loop", item 6: an unknown name lists the valid ones.
    expect(unknown.stderr).toMatch(/unknown service: ghost \(services: [^)]*\bweb\b/);
  });
});

describe('sogoctl health failures at start and over HTTP', () => {
  it('kills what is not healthy within start_timeout; a FATAL dependency keeps its dependents waiting', async () => {
    box.writeConfig(
      {
        slow: { fixture: 'health-service', args: ['--listen-delay', '600000'] },
        after: { fixture: 'health-service', dependsOn: ['slow'] },
        other: { fixture: 'health-service' },
      },
      { start_timeout: '700ms', max_restarts: 1 },
    );
    const run = box.start();
    await waitFor('slow FATAL', () => run.stderr.includes('"event":"fatal"'));
    expect(box.events('slow', 'start')).toHaveLength(2);
    expect(box.events('slow', 'term')).toHaveLength(2);
    expect(box.logLines()).toContainEqual(
      expect.objectContaining({
        event: 'unhealthy',
        service: 'slow',
        msg: expect.stringContaining('start_timeout'),
      }),
    );
    expect(run.stderr).toContain('after will not start until slow is healthy');
    expect(box.events('after', 'start')).toEqual([]);

    const status = await runSogoctl(['status', '-config', box.dir]);
    expect(status.stdout).toMatch(/^after\s+1\s+-\s+waiting\s+(?:-\s+)?-\s+0\s+-$/m);
    expect(status.stdout).toMatch(/^other\s+1\s+\d+\s+healthy\s/m);
    const refused = await runSogoctl(['restart', 'after', '-config', box.dir]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('after has not started yet: it waits for slow to be healthy');
  });

  it('reports a binary that cannot be spawned, and ends FATAL after max_restarts', async () => {
    box.writeConfig(
      { ghost: { fixture: 'health-service', socket: false, binary: join(box.dir, 'no-such-binary') } },
      {
        max_restarts: 1,
      },
    );
    const run = box.start();
    await waitFor('ghost FATAL', () => run.stderr.includes('"event":"fatal"'));
    const status = await runSogoctl(['status', '-config', box.dir]);
    expect(status.stdout).toMatch(
      /^ghost\s+1\s+-\s+FATAL\s+(?:-\s+)?-\s+1\s+spawn \S+no-such-binary ENOENT, /m,
    );
  });

  it('checks health_url with HTTP GET and restarts the process after 3 non-2xx answers', async () => {
    const port = await freePort();
    box.writeConfig({
      web: {
        fixture: 'http-service',
        args: ['--port', String(port), '--ok', '3'],
        healthUrl: `http://127.0.0.1:${port}/health`,
      },
    });
    const run = box.start();
    await waitFor('ready', () => run.stdout.includes('"event":"ready"'));
    await waitFor('a second start', () => box.events('web', 'start').length >= 2);
    const failures = box.logLines().filter((l) => l['event'] === 'health_failed' && l['service'] === 'web');
    expect(failures.slice(0, 3).map((l) => l['msg'])).toEqual([
      'health check failed (1/3): HTTP 503',
      'health check failed (2/3): HTTP 503',
      'health check failed (3/3): HTTP 503',
    ]);
    expect(box.events('web', 'term')).toHaveLength(1);
  });
});
