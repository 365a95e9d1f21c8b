import { callOnce } from '@sogoms/protocol';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, runSogoctl, Sandbox, waitFor } from './helpers/sandbox.js';

let box: Sandbox;
beforeAll(ensureBuilt);
beforeEach(() => {
  box = new Sandbox();
});
afterEach(() => box.cleanup());

describe('sogoctl start', () => {
  it('starts each service once everything it depends on is healthy; independent ones do not wait', async () => {
    box.writeConfig({
      logs: { fixture: 'health-service', args: ['--listen-delay', '500'] },
      db: { fixture: 'health-service', dependsOn: ['logs'], instances: 2, args: ['--listen-delay', '300'] },
      smtp: { fixture: 'health-service' },
      gateway: { fixture: 'health-service', dependsOn: ['db', 'smtp'] },
    });
    const run = box.start();
    await waitFor('every service healthy', () => run.stdout.includes('"event":"ready"'));

    const at = (name: string, event: string) => box.events(name, event)[0]!.t;
    // smtp depends on nothing: it started while logs was still getting ready.
    expect(at('smtp', 'start')).toBeLessThan(at('logs', 'listening'));
    for (const db of ['db.1', 'db.2'])
      expect(at(db, 'start')).toBeGreaterThanOrEqual(at('logs', 'listening'));
    const gatewayDeps = ['db.1', 'db.2', 'smtp'].map((n) => at(n, 'listening'));
    expect(at('gateway', 'start')).toBeGreaterThanOrEqual(Math.max(...gatewayDeps));
    expect(box.events('gateway', 'start')).toHaveLength(1);
  });

  it('runs N instances with {n} replaced, env merged over its own environment, and shows them in status', async () => {
    box.writeConfig({
      web: { fixture: 'health-service', instances: 3, env: { FIXTURE_TAG: 'web-{n}' } },
    });
    const run = box.start(['run', `--config=${box.dir}`], { SOGOCTL_TEST_INHERITED: 'yes' });
    await waitFor('every instance healthy', () => run.stdout.includes('"event":"ready"'));

    const starts = box.records().filter((r) => r.event === 'start');
    expect(starts.map((s) => s.name).sort()).toEqual(['web.1', 'web.2', 'web.3']);
    for (const s of starts) {
      expect(s.tag).toBe(`web-${s.name.slice(4)}`);
      expect(s.inherited).toBe('yes');
    }

    const health = await callOnce(box.controlSocket, 'health');
    expect(health).toMatchObject({ status: 'ok', service: 'sogoctl', instances: 3, healthy: 3, fatal: [] });

    const status = await runSogoctl(['status', '-config', box.dir]);
    expect(status.code).toBe(0);
    const rows = status.stdout.trim().split('\n');
    expect(rows[0]).toMatch(
      /^SERVICE\s+INSTANCE\s+PID\s+STATE\s+(?:VERSION\s+)?UPTIME\s+RESTARTS\s+LAST EXIT$/,
    );
    for (const s of starts) {
      const n = s.name.slice(4);
      expect(rows).toContainEqual(
        expect.stringMatching(
          new RegExp(`^web\\s+${n}\\s+${s.pid}\\s+healthy\\s+(?:\\S+\\s+)?\\d+s\\s+0\\s+-$`),
        ),
      );
    }
  });

  // Many-tenants issue, item 1 (saturation reported, not "ok") and hardening issue, item 12 (degraded logs).
  it('status and status --json show what a healthy service says is wrong behind it', async () => {
    const saturated = {
      connections: {
        max: 100,
        open: 100,
        in_use: 100,
        idle: 0,
        waiting: 7,
        refused: 2,
        wait_timeouts: 0,
        saturated: true,
      },
    };
    const degraded = { status: 'degraded', problems: [{ path: '/var/log/sogoms', error: 'EACCES' }] };
    box.writeConfig({
      db: { fixture: 'health-service', args: ['--health-extra', JSON.stringify(saturated)] },
      logs: { fixture: 'health-service', args: ['--health-extra', JSON.stringify(degraded)] },
      plain: { fixture: 'health-service' },
    });
    const run = box.start();
    await waitFor('every service healthy', () => run.stdout.includes('"event":"ready"'));
    const status = await waitFor('the notes in status', async () => {
      const s = await runSogoctl(['status', '-config', box.dir]);
      return s.stdout.includes('EACCES') && s.stdout.includes('saturated') ? s : undefined;
    });
    expect(status.code).toBe(0);
    const lines = status.stdout.trimEnd().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^db\s+1\s+\d+\s+healthy\s/));
    expect(lines.slice(-6)).toEqual([
      '',
      'db 1: serving, degraded behind it:',
      '  MariaDB connections saturated: 100 of 100 in use, 7 waiting, 2 refused',
      '',
      'logs 1: serving, degraded behind it:',
      '  EACCES on /var/log/sogoms',
    ]);
    expect(status.stdout).not.toMatch(/^plain 1: /m);
    const json = await runSogoctl(['status', '--json', '-config', box.dir]);
    const { instances: rows } = JSON.parse(json.stdout) as {
      instances: { service: string; state: string; notes: string[] }[];
    };
    expect(rows.map((r) => [r.service, r.state, r.notes])).toEqual([
      ['db', 'healthy', ['MariaDB connections saturated: 100 of 100 in use, 7 waiting, 2 refused']],
      ['logs', 'healthy', ['EACCES on /var/log/sogoms']],
      ['plain', 'healthy', []],
    ]);
  });

  it('refuses to start a second supervisor on a control socket in use, starting no child', async () => {
    box.writeConfig({ only: { fixture: 'health-service' } });
    const first = box.start();
    await waitFor('the first supervisor ready', () => first.stdout.includes('"event":"ready"'));
    const second = box.start();
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.stderr).toContain(box.controlSocket);
    expect(box.events('only', 'start')).toHaveLength(1);
  });
});
