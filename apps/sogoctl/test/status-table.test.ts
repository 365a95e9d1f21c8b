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
