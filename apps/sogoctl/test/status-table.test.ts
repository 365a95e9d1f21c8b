import { describe, expect, it } from 'vitest';
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
