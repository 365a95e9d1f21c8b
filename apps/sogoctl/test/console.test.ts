// Issue "the developer's loop": why a child exited, the console's short lines (each reason once, a refused
// reload once for all services), and where sogoctl finds its configuration when not given -config.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfigDir } from '@sogoms/config';
import { describe, expect, it } from 'vitest';
import { ConsoleReporter } from '../src/supervisor/console.js';
import { exitReason } from '../src/supervisor/exit-reason.js';
import { formatStatusTable } from '../src/supervisor/status.js';

const err = (text: string) => ({ stream: 'stderr' as const, text });
const out = (text: string) => ({ stream: 'stdout' as const, text });

function reporter() {
  const lines: string[] = [];
  const r = new ConsoleReporter({ out: (l) => lines.push(l), err: (l) => lines.push(l) }, '/repo');
  return { r, lines };
}

describe('exit reasons, from the last lines a child wrote', () => {
  it('a config error at start gives its problems', () => {
    expect(
      exitReason([
        err('sogoms-db: invalid configuration (1 problem)'),
        err('  /c/queries/prokov/projects.yaml: YAML syntax error at line 3, column 1: bad'),
      ]),
    ).toEqual({
      reason: 'invalid configuration (1 problem)',
      problems: ['/c/queries/prokov/projects.yaml: YAML syntax error at line 3, column 1: bad'],
    });
  });

  it('EADDRINUSE becomes "port N is in use", from a plain line or a pino fatal line', () => {
    expect(
      exitReason([
        err('sogoway: failed to start: Error: listen EADDRINUSE: address already in use 127.0.0.1:8080'),
        err('    at Server.setupListenHandle [as _listen2] (node:net:1908:16)'),
      ])?.reason,
    ).toBe('port 8080 is in use (127.0.0.1:8080)');
    const pino = JSON.stringify({
      level: 60,
      msg: 'sogoms-db failed to start',
      err: { message: 'listen EADDRINUSE: address already in use :::3000' },
    });
    expect(exitReason([out(pino)])?.reason).toBe('port 3000 is in use (:::3000)');
  });

  it("a service's own fatal line gives its msg; a Node crash its error line, not the stack", () => {
    const fatal = JSON.stringify({
      level: 60,
      msg: 'sogoms-logs failed to start',
      err: { message: 'EACCES' },
    });
    expect(exitReason([out(fatal)])?.reason).toBe('sogoms-logs failed to start: EACCES');
    expect(
      exitReason([err('Error: boom'), err('    at main (/x.js:1:1)'), err(''), err('Node.js v20.19.0')])
        ?.reason,
    ).toBe('Error: boom');
    expect(exitReason([out('{"level":30,"msg":"started"}')])).toBeUndefined();
  });
});

describe('the console of sogoctl run --console', () => {
  it('says a crash loop reason once, then FATAL with what to do', () => {
    const { r, lines } = reporter();
    for (let i = 0; i < 6; i++)
      r.event('warn', 'exited', 'exited (code 1): port 8080 is in use', {
        service: 'sogoway',
        instance: 1,
        reason: 'port 8080 is in use',
      });
    r.event('fatal', 'fatal', 'FATAL…', { service: 'sogoway', instance: 1, reason: 'port 8080 is in use' });
    expect(lines).toEqual([
      '[sogoctl] sogoway 1 exited (code 1): port 8080 is in use',
      '[sogoctl] sogoway 1 FATAL, stays down: port 8080 is in use',
      '[sogoctl]   fix the cause, then run: sogoctl restart sogoway',
    ]);
  });

  it('prints a refused reload once for all the services, paths relative to the working directory', () => {
    const { r, lines } = reporter();
    const refused = JSON.stringify({
      level: 50,
      msg: 'invalid configuration refused, previous one kept',
      problems: [
        { file: '/repo/config/dev/queries/prokov/tags.yaml', path: '', message: 'YAML syntax error' },
      ],
    });
    for (const service of ['sogoms-db', 'sogoway', 'sogoms-cron']) r.childLine(service, 1, 'stdout', refused);
    r.childLine('sogoway', 1, 'stdout', JSON.stringify({ level: 30, msg: 'configuration reloaded' }));
    expect(lines).toEqual([
      '[sogoctl] config change refused, the services keep the previous configuration:',
      '[sogoctl]   config/dev/queries/prokov/tags.yaml: YAML syntax error',
      '[sogoctl] config files valid again: sogoway and the others reloaded them',
    ]);
  });
});

describe('sogoctl finds its configuration', () => {
  it('in the documented order: -config, $SOGOMS_CONFIG, ./config/dev when present', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sg-cwd-'));
    try {
      expect(findConfigDir('/x', { env: { SOGOMS_CONFIG: '/y' }, cwd })?.dir).toBe('/x');
      expect(findConfigDir(undefined, { env: { SOGOMS_CONFIG: '/y' }, cwd })?.dir).toBe('/y');
      mkdirSync(join(cwd, 'config', 'dev'), { recursive: true });
      writeFileSync(join(cwd, 'config', 'dev', 'sogoctl.yaml'), 'services: {}\n');
      expect(findConfigDir(undefined, { env: {}, cwd })).toEqual({
        dir: join(cwd, 'config', 'dev'),
        from: './config/dev',
      });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('status shows the version, the gateway address, and the reason of the last exit', () => {
    const table = formatStatusTable(
      [
        {
          service: 'sogoway',
          instance: 1,
          pid: null,
          state: 'fatal',
          uptime_s: null,
          restarts: 2,
          last_exit: { code: 1, signal: null, at: 'x', reason: 'port 8080 is in use' },
          version: '2.0.0',
          address: 'http://127.0.0.1:8080',
        },
      ],
      0,
    );
    expect(table.split('\n')).toEqual([
      'SERVICE  INSTANCE  PID  STATE  VERSION  ADDRESS                UPTIME  RESTARTS  LAST EXIT',
      'sogoway  1         -    FATAL  2.0.0    http://127.0.0.1:8080  -       2         code 1: port 8080 is in use',
    ]);
  });
});
