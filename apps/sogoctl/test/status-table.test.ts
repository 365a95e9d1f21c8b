import { describe, expect, it } from 'vitest';
import { healthNotes } from '../src/supervisor/health.js';
import { formatLastExit, formatStatusTable, formatUptime } from '../src/supervisor/status.js';

describe('status table', () => {
  it('prints one padded row per instance under a header', () => {
    const now = Date.parse('2025-12-16T12:00:00Z');
    const table = formatStatusTable(
      [
        {
          service: 'sogoms-logs',
          instance: 1,
          pid: 4242,
          state: 'healthy',
          uptime_s: 3725,
          restarts: 0,
          last_exit: null,
        },
        {
          service: 'sogoms-db',
          instance: 2,
          pid: null,
          state: 'fatal',
          uptime_s: null,
          restarts: 5,
          last_exit: { code: 1, signal: null, at: '2025-12-16T11:59:30Z' },
        },
      ],
      now,
    );
    expect(table.split('\n')).toEqual([
      'SERVICE      INSTANCE  PID   STATE    UPTIME  RESTARTS  LAST EXIT',
      'sogoms-logs  1         4242  healthy  1h02m   0         -',
      'sogoms-db    2         -     FATAL    -       5         code 1, 30s ago',
    ]);
  });

  // Hardening issue, item 10: a service restarted on its last good configuration must say so in `sogoctl status`.
  it('shows LAST-GOOD for an instance serving its last good configuration, and the problems under the table', () => {
    const table = formatStatusTable([
      {
        service: 'sogoms-db',
        instance: 1,
        pid: 10,
        state: 'healthy',
        uptime_s: 5,
        restarts: 1,
        last_exit: null,
        config: { state: 'live' },
      },
      {
        service: 'sogoway',
        instance: 1,
        pid: 11,
        state: 'healthy',
        uptime_s: 5,
        restarts: 1,
        last_exit: null,
        config: {
          state: 'last-good',
          saved_at: '2025-12-16T11:00:00.000Z',
          problems: ['/c/queries/prokov/tags.yaml: YAML syntax error at line 1, column 7: bad'],
        },
      },
    ]);
    expect(table.split('\n')).toEqual([
      'SERVICE    INSTANCE  PID  STATE    CONFIG     UPTIME  RESTARTS  LAST EXIT',
      'sogoms-db  1         10   healthy  live       5s      1         -',
      'sogoway    1         11   healthy  LAST-GOOD  5s      1         -',
      '',
      'sogoway 1: serving its LAST GOOD configuration (saved 2025-12-16T11:00:00.000Z): the config files are invalid',
      '  /c/queries/prokov/tags.yaml: YAML syntax error at line 1, column 7: bad',
    ]);
  });

  // Many-tenants issue, item 1, and hardening issue, item 12: saturation and a degraded backend are shown, not "ok".
  it('shows under the table what a healthy instance says is wrong behind it', () => {
    const row = {
      service: 'sogoms-db',
      instance: 1,
      pid: 10,
      state: 'healthy' as const,
      uptime_s: 5,
      restarts: 0,
      last_exit: null,
    };
    const table = formatStatusTable([
      { ...row, notes: ['MariaDB connections saturated: 100 of 100 in use, 7 waiting, 2 refused'] },
      { ...row, service: 'sogoms-logs', pid: 11, notes: [] },
    ]);
    expect(table.split('\n')).toEqual([
      'SERVICE      INSTANCE  PID  STATE    UPTIME  RESTARTS  LAST EXIT',
      'sogoms-db    1         10   healthy  5s      0         -',
      'sogoms-logs  1         11   healthy  5s      0         -',
      '',
      'sogoms-db 1: serving, degraded behind it:',
      '  MariaDB connections saturated: 100 of 100 in use, 7 waiting, 2 refused',
    ]);
  });

  it('reads the notes from the health answer of each service', () => {
    const connections = {
      max: 100,
      open: 100,
      in_use: 100,
      idle: 0,
      waiting: 7,
      refused: 2,
      wait_timeouts: 0,
    };
    // sogoms-db: saturation (zero counts left out) and app databases down.
    expect(
      healthNotes({
        apps: { a: { status: 'ok' }, b: { status: 'down' }, c: { status: 'unknown' } },
        connections: { ...connections, saturated: true },
      }),
    ).toEqual([
      '1 app database down',
      'MariaDB connections saturated: 100 of 100 in use, 7 waiting, 2 refused',
    ]);
    expect(
      healthNotes({ apps: { a: { status: 'ok' } }, connections: { ...connections, saturated: false } }),
    ).toEqual([]);
    // sogoms-logs: degraded with its problems.
    expect(
      healthNotes({
        status: 'degraded',
        problems: [{ path: '/var/log/sogoms', error: 'EACCES' }, { error: 'EROFS' }],
      }),
    ).toEqual(['EACCES on /var/log/sogoms', 'EROFS']);
    expect(healthNotes({ status: 'degraded' })).toEqual(['degraded']);
    // The gateway's /health data: services down or degraded, database counts, its view of the connections.
    expect(
      healthNotes({
        status: 'degraded',
        services: { db: 'ok', logs: 'degraded', smtp: 'down' },
        databases: { ok: 3, down: 2 },
        db_connections: { ...connections, waiting: 0, refused: 0, wait_timeouts: 3, saturated: true },
      }),
    ).toEqual([
      'logs: degraded',
      'smtp: down',
      '2 app databases down',
      'MariaDB connections saturated: 100 of 100 in use, 3 wait timeouts',
    ]);
    expect(healthNotes({ status: 'ok', services: { db: 'ok' }, databases: { ok: 1, down: 0 } })).toEqual([]);
    expect(healthNotes(null)).toEqual([]);
    expect(healthNotes({ problems: Array.from({ length: 9 }, () => ({ error: 'x'.repeat(500) })) })).toEqual(
      Array.from({ length: 5 }, () => 'x'.repeat(200)),
    );
  });

  it('formats uptimes and exits', () => {
    expect(formatUptime(null)).toBe('-');
    expect(formatUptime(42)).toBe('42s');
    expect(formatUptime(185)).toBe('3m05s');
    expect(formatUptime(2 * 86_400 + 3 * 3600)).toBe('2d03h');
    const at = '2025-12-16T12:00:00Z';
    expect(formatLastExit({ code: null, signal: 'SIGKILL', at }, Date.parse(at) + 130_000)).toBe(
      'signal SIGKILL, 2m10s ago',
    );
  });
});
