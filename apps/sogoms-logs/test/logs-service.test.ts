import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatformConfig } from '@sogoms/config';
import { ErrorCode } from '@sogoms/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../tests/helpers/rejection.js';
import { localIsoTimestamp } from '../src/file-names.js';
import { createLogsService, type LogsService } from '../src/logs-service.js';
import { listDir, readLines, silentLogger, tempDir, writeConfig } from './helpers.js';

const ctx = (id = 'req_test.1') => ({ id, action: 'test' });
let service: LogsService | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

async function start(clock?: () => Date) {
  const logdir = join(tempDir(), 'logs');
  const config = loadPlatformConfig(writeConfig());
  service = await createLogsService({ config, logdir, logger: silentLogger, ...(clock ? { clock } : {}) });
  return { logdir, service };
}

describe('sogoms-logs lines and files', () => {
  it('writes log_event to {app}-{YYYYMMDD}-events.log with ts first, then the fields', async () => {
    const now = new Date(2025, 11, 16, 12, 34, 56, 789);
    const { logdir, service } = await start(() => now);
    const answer = await service.actions.log_event!(
      { app_id: 'prokov', event: 'login', user_id: 42, ip: '10.0.0.1', data: { email: 'a@b.c' } },
      ctx('req_abc'),
    );
    expect(answer).toEqual({ written: true });
    await service.actions.log_event!({ app_id: 'prokov', event: 'logout' }, ctx());
    expect(listDir(logdir)).toEqual(['prokov-20251216-events.log']);
    const lines = readLines(join(logdir, 'prokov-20251216-events.log'));
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0]!)[0]).toBe('ts');
    expect(lines[0]).toEqual({
      ts: localIsoTimestamp(now),
      app_id: 'prokov',
      request_id: 'req_abc',
      event: 'login',
      user_id: 42,
      ip: '10.0.0.1',
      data: { email: 'a@b.c' },
    });
    expect(lines[1]).toEqual({
      ts: localIsoTimestamp(now),
      app_id: 'prokov',
      request_id: 'req_test.1',
      event: 'logout',
    });
  });

  it('writes log_error to {app}-{YYYYMMDD}-errors.log with level, message and context', async () => {
    const now = new Date(2025, 0, 2, 3, 4, 5, 6);
    const { logdir, service } = await start(() => now);
    for (const level of ['error', 'warn', 'info']) {
      await service.actions.log_error!(
        {
          app_id: 'prokov',
          level,
          message: `a ${level}\nwith a newline`,
          context: { path: '/api/x', status: 500 },
        },
        ctx(),
      );
    }
    const lines = readLines(join(logdir, 'prokov-20250102-errors.log'));
    expect(lines.map((l) => l.level)).toEqual(['error', 'warn', 'info']);
    expect(lines[0]).toEqual({
      ts: localIsoTimestamp(now),
      app_id: 'prokov',
      request_id: 'req_test.1',
      level: 'error',
      message: 'a error\nwith a newline',
      context: { path: '/api/x', status: 500 },
    });
  });

  it('stamps ts in ISO 8601 with the local offset, so its date is the file date', () => {
    const ts = localIsoTimestamp(new Date(2025, 5, 30, 23, 59, 59, 5));
    expect(ts).toMatch(/^2025-06-30T23:59:59\.005(Z|[+-]\d\d:\d\d)$/);
    expect(new Date(ts).getTime()).toBe(new Date(2025, 5, 30, 23, 59, 59, 5).getTime());
  });

  it('accepts apps that are not configured: logs must not be lost', async () => {
    const { logdir, service } = await start(() => new Date(2025, 1, 3));
    await service.actions.log_event!({ app_id: 'other_app-2', event: 'x' }, ctx());
    expect(listDir(logdir)).toEqual(['other_app-2-20250203-events.log']);
  });

  it('refuses bad params with VALIDATION_ERROR naming the field, and writes nothing', async () => {
    const { logdir, service } = await start();
    const bad: [string, Record<string, unknown>, string][] = [
      ['log_event', { event: 'x' }, 'app_id'],
      ['log_event', { app_id: '../etc', event: 'x' }, 'app_id'],
      ['log_event', { app_id: 'a/b', event: 'x' }, 'app_id'],
      ['log_event', { app_id: 'a.b', event: 'x' }, 'app_id'],
      ['log_event', { app_id: '', event: 'x' }, 'app_id'],
      ['log_event', { app_id: 'prokov' }, 'event'],
      ['log_event', { app_id: 'prokov', event: 'x'.repeat(201) }, 'event'],
      ['log_event', { app_id: 'prokov', event: 'x', user_id: { id: 1 } }, 'user_id'],
      ['log_event', { app_id: 'prokov', event: 'x', ip: 7 }, 'ip'],
      ['log_error', { app_id: 'prokov', level: 'fatal', message: 'x' }, 'level'],
      ['log_error', { app_id: 'prokov', level: 'error' }, 'message'],
    ];
    for (const [action, params, field] of bad) {
      const err = await rejection(service.actions[action]!(params, ctx()));
      expect(err.code, JSON.stringify(params)).toBe(ErrorCode.VALIDATION_ERROR);
      expect(err.data).toEqual({ field });
    }
    expect(listDir(logdir)).toEqual([]);
  });

  it('moves to the next day file past midnight and closes the old day file', async () => {
    let now = new Date(2025, 2, 9, 23, 59, 59, 900);
    const { logdir, service } = await start(() => now);
    await service.actions.log_event!({ app_id: 'prokov', event: 'before' }, ctx());
    await service.actions.log_error!({ app_id: 'prokov', level: 'info', message: 'before' }, ctx());
    expect(await service.health!()).toMatchObject({ open_files: 2 });
    now = new Date(2025, 2, 10, 0, 0, 0, 100);
    await service.actions.log_event!({ app_id: 'prokov', event: 'after' }, ctx());
    expect(await service.health!()).toMatchObject({ open_files: 1, lines_written: 3 });
    expect(listDir(logdir)).toEqual([
      'prokov-20250309-errors.log',
      'prokov-20250309-events.log',
      'prokov-20250310-events.log',
    ]);
    expect(readLines(join(logdir, 'prokov-20250309-events.log')).map((l) => l.event)).toEqual(['before']);
    const after = readLines(join(logdir, 'prokov-20250310-events.log'));
    expect(after.map((l) => l.event)).toEqual(['after']);
    expect(String(after[0]!.ts).startsWith('2025-03-10T00:00:00.100')).toBe(true);
  });

  it('answers LOG_WRITE_ERROR when the file cannot be written, and recovers once it can', async () => {
    const { logdir, service } = await start(() => new Date(2025, 3, 1));
    // A directory where the log file should be makes open() fail with EISDIR.
    mkdirSync(join(logdir, 'prokov-20250401-events.log'));
    const err = await rejection(service.actions.log_event!({ app_id: 'prokov', event: 'x' }, ctx()));
    expect(err.code).toBe(ErrorCode.LOG_WRITE_ERROR);
    rmdirSync(join(logdir, 'prokov-20250401-events.log'));
    await service.actions.log_event!({ app_id: 'prokov', event: 'y' }, ctx());
    expect(readLines(join(logdir, 'prokov-20250401-events.log')).map((l) => l.event)).toEqual(['y']);
  });

  it('writes the lines of concurrent callers together: one write() per file per batch, not per line', async () => {
    const { logdir, service } = await start(() => new Date(2025, 6, 14, 8));
    const calls = Array.from({ length: 1_000 }, (_, seq) =>
      service.actions.log_event!({ app_id: 'prokov', event: 'batch', data: { seq } }, ctx()),
    );
    calls.push(service.actions.log_error!({ app_id: 'prokov', level: 'warn', message: 'w' }, ctx()));
    await Promise.all(calls);
    // About 110 bytes a line: the 1,000 events fit in two writes of at most MAX_WRITE_BYTES, the error in one.
    const health = (await service.health!()) as { lines_written: number; writes: number };
    expect(health.lines_written).toBe(1_001);
    expect(health.writes).toBeLessThanOrEqual(3);
    const lines = readLines(join(logdir, 'prokov-20250714-events.log'));
    expect(lines.map((l) => (l.data as { seq: number }).seq)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => i),
    );
  });

  it('creates the log directory and reports it in health', async () => {
    const { logdir, service } = await start();
    expect(existsSync(logdir)).toBe(true);
    expect(await service.health!()).toEqual({ logdir, open_files: 0, lines_written: 0, writes: 0 });
  });
});
