import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_STOP_TIMEOUT_MS,
  DEFAULT_SUPERVISOR_LOG_FILE,
  loadSogoctlConfig,
  parseDuration,
  startOrder,
} from '../src/index.js';
import { brief, errorOf, makeTree, problemsOf } from './helpers.js';

const SEED = `
supervisor:
  health_interval: 10s
  restart_delay: 2s
  max_restarts: 5
services:
  sogoms-logs:
    binary: /opt/sogoms/bin/sogoms-logs
    args: ["-config", "/config", "-socket", "/run/sogoms-logs.1.sock"]
    health_socket: /run/sogoms-logs.1.sock
  sogoms-db:
    binary: /opt/sogoms/bin/sogoms-db
    args: ["-config", "/config", "-socket", "/run/sogoms-db.1.sock"]
    health_socket: /run/sogoms-db.1.sock
    depends_on: [sogoms-logs]
  sogoway:
    binary: /opt/sogoms/bin/sogoway
    args: ["-config", "/config", "-port", "8080"]
    health_url: http://localhost:8080/health
    depends_on: [sogoms-db, sogoms-logs]
`;

describe('loadSogoctlConfig', () => {
  it('reads the seed file with defaults for what it leaves out', () => {
    const dir = makeTree({ 'sogoctl.yaml': SEED });
    const cfg = loadSogoctlConfig(dir);
    expect(cfg.file).toBe(join(dir, 'sogoctl.yaml'));
    expect(cfg.supervisor).toEqual({
      healthIntervalMs: 10_000,
      restartDelayMs: 2_000,
      maxRestarts: 5,
      restartWindowMs: 60_000,
      stopTimeoutMs: DEFAULT_STOP_TIMEOUT_MS,
      startTimeoutMs: 30_000,
      logFile: DEFAULT_SUPERVISOR_LOG_FILE,
      controlSocket: DEFAULT_CONTROL_SOCKET,
    });
    expect(cfg.services.map((s) => s.name)).toEqual(['sogoms-logs', 'sogoms-db', 'sogoway']);
    expect(cfg.services[1]).toEqual({
      name: 'sogoms-db',
      binary: '/opt/sogoms/bin/sogoms-db',
      args: ['-config', '/config', '-socket', '/run/sogoms-db.1.sock'],
      env: {},
      instances: 1,
      healthSocket: '/run/sogoms-db.1.sock',
      dependsOn: ['sogoms-logs'],
    });
    expect(cfg.services[2]?.healthUrl).toBe('http://localhost:8080/health');
    expect(startOrder(cfg.services)).toEqual(['sogoms-logs', 'sogoms-db', 'sogoway']);
  });

  it('reads durations, env, instances and resolves relative paths against DIR (args untouched)', () => {
    const dir = makeTree({
      'sogoctl.yaml': `
supervisor:
  health_interval: 500ms
  restart_delay: 0
  restart_window: 1m
  stop_timeout: 3
  start_timeout: 1h30m
  log_file: ../var/log/sogoctl.log
  control_socket: run/ctl.sock
services:
  db:
    binary: ../bin/sogoms-db
    args: ["-socket", "run/sogoms-db.{n}.sock"]
    instances: 3
    health_socket: run/sogoms-db.{n}.sock
    env: { NODE_ENV: production, WORKERS: 4 }
  fixture:
    binary: node
    args: [fixture.js]
`,
    });
    const cfg = loadSogoctlConfig(dir);
    expect(cfg.supervisor.healthIntervalMs).toBe(500);
    expect(cfg.supervisor.restartDelayMs).toBe(0);
    expect(cfg.supervisor.restartWindowMs).toBe(60_000);
    expect(cfg.supervisor.stopTimeoutMs).toBe(3_000);
    expect(cfg.supervisor.startTimeoutMs).toBe(5_400_000);
    expect(cfg.supervisor.logFile).toBe(join(dir, '..', 'var/log/sogoctl.log'));
    expect(cfg.supervisor.controlSocket).toBe(join(dir, 'run/ctl.sock'));
    const [db, fixture] = cfg.services;
    expect(db?.binary).toBe(join(dir, '..', 'bin/sogoms-db'));
    expect(db?.args).toEqual(['-socket', 'run/sogoms-db.{n}.sock']);
    expect(db?.healthSocket).toBe(join(dir, 'run/sogoms-db.{n}.sock'));
    expect(db?.instances).toBe(3);
    expect(db?.env).toEqual({ NODE_ENV: 'production', WORKERS: '4' });
    expect(fixture?.binary).toBe('node');
    expect(fixture?.healthSocket).toBeUndefined();
    expect(fixture?.healthUrl).toBeUndefined();
  });

  it('expands environment variables, with and without a default, from the given env', () => {
    const dir = makeTree({
      'sogoctl.yaml': `
supervisor: { control_socket: "\${RUN:-/tmp}/ctl.sock", stop_timeout: "\${STOP:-5s}" }
services:
  a: { binary: "\${BIN}/a", args: ["-x", "\${EMPTY:-fallback}"] }
`,
    });
    const cfg = loadSogoctlConfig(dir, { env: { BIN: '/opt/bin', EMPTY: '' } });
    expect(cfg.supervisor.controlSocket).toBe('/tmp/ctl.sock');
    expect(cfg.supervisor.stopTimeoutMs).toBe(5_000);
    expect(cfg.services[0]?.binary).toBe('/opt/bin/a');
    expect(cfg.services[0]?.args).toEqual(['-x', 'fallback']);
    expect(
      brief(
        problemsOf(() => loadSogoctlConfig(dir, { env: {} })),
        dir,
      ),
    ).toEqual([
      `sogoctl.yaml services.a.binary: environment variable BIN is not set (use ${'$'}{BIN:-default} for a default)`,
    ]);
  });

  it('names the services of an unknown dependency and of a cycle', () => {
    const dir = makeTree({
      'sogoctl.yaml': `
services:
  a: { binary: /a, depends_on: [b] }
  b: { binary: /b, depends_on: [c, ghost] }
  c: { binary: /c, depends_on: [a] }
  d: { binary: /d, depends_on: [d] }
`,
    });
    expect(
      brief(
        problemsOf(() => loadSogoctlConfig(dir)),
        dir,
      ),
    ).toEqual([
      'sogoctl.yaml services.b.depends_on[1]: unknown service "ghost"',
      'sogoctl.yaml services.a.depends_on: dependency cycle: a → b → c → a',
      'sogoctl.yaml services.d.depends_on: dependency cycle: d → d',
    ]);
  });

  it('reports every schema problem at once with its key path', () => {
    const dir = makeTree({
      'sogoctl.yaml': `
supervisor:
  health_interval: soon
  max_restarts: -1
  colour: blue
services:
  sogoway:
    args: "-port 8080"
    instances: 0
    health_socket: /run/a.sock
    health_url: http://localhost/health
    depends_on: [42x, {}]
  multi:
    binary: /m
    instances: 2
    health_socket: /run/m.sock
  web:
    binary: /w
    health_url: localhost:8080
    env: { "BAD-NAME": x, OK: [1] }
`,
    });
    expect(
      brief(
        problemsOf(() => loadSogoctlConfig(dir)),
        dir,
      ),
    ).toEqual([
      'sogoctl.yaml supervisor.colour: unknown key (expected one of: health_interval, restart_delay, max_restarts, restart_window, stop_timeout, start_timeout, log_file, control_socket, metrics_listen)',
      'sogoctl.yaml supervisor.health_interval: expected a duration like 500ms, 10s, 1m, 24h or a number of seconds (got "soon")',
      'sogoctl.yaml supervisor.max_restarts: must be between 0 and 1000000 (got -1)',
      'sogoctl.yaml services.sogoway.binary: is required',
      'sogoctl.yaml services.sogoway.instances: must be between 1 and 64 (got 0)',
      'sogoctl.yaml services.sogoway.args: expected a list of strings',
      'sogoctl.yaml services.sogoway.depends_on[1]: expected a string',
      'sogoctl.yaml services.sogoway.health_url: set only one of health_socket and health_url',
      'sogoctl.yaml services.multi.health_socket: must contain {n} when instances > 1 (one socket per instance)',
      'sogoctl.yaml services.web.env.BAD-NAME: not a valid environment variable name',
      'sogoctl.yaml services.web.env.OK: expected a string',
      'sogoctl.yaml services.web.health_url: expected an http:// or https:// URL',
      'sogoctl.yaml services.sogoway.depends_on[0]: unknown service "42x"',
    ]);
  });

  it('reports a YAML syntax error with its line, and a missing file', () => {
    const dir = makeTree({ 'sogoctl.yaml': 'services:\n  a:\n    binary: /a\n   bad: [\n' });
    const [problem] = problemsOf(() => loadSogoctlConfig(dir));
    expect(problem?.file).toBe(join(dir, 'sogoctl.yaml'));
    expect(problem?.message).toMatch(/^YAML syntax error at line 4, column \d+: /);
    const empty = makeTree();
    expect(
      brief(
        problemsOf(() => loadSogoctlConfig(empty)),
        empty,
      ),
    ).toEqual(['sogoctl.yaml : cannot read file (ENOENT)']);
    expect(errorOf(() => loadSogoctlConfig(empty)).message).toContain(
      'sogoctl.yaml: cannot read file (ENOENT)',
    );
  });

  it('returns a deeply frozen config', () => {
    const cfg = loadSogoctlConfig(makeTree({ 'sogoctl.yaml': SEED }));
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.supervisor)).toBe(true);
    expect(Object.isFrozen(cfg.services[0]?.args)).toBe(true);
    expect(Object.isFrozen(cfg.services[0]?.env)).toBe(true);
    expect(() => {
      (cfg.services as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });
});

describe('parseDuration', () => {
  it('accepts Go-style units and seconds as plain numbers', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2s')).toBe(2_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration(10)).toBe(10_000);
    expect(parseDuration('10')).toBe(10_000);
    for (const bad of ['', 's', '10 s', '1d', '-1s', 'ms10', '1h 2m', -1, true, null]) {
      expect(parseDuration(bad)).toBeUndefined();
    }
  });
});
