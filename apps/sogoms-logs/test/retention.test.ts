import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatformConfig } from '@sogoms/config';
import { afterEach, describe, expect, it } from 'vitest';
import { dayBefore, parseLogFileName } from '../src/file-names.js';
import { createLogsService, type LogsService } from '../src/logs-service.js';
import { listDir, silentLogger, tempDir, writeConfig } from './helpers.js';

let service: LogsService | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

function logdirWith(names: string[]): string {
  const logdir = join(tempDir(), 'logs');
  mkdirSync(logdir);
  for (const name of names) writeFileSync(join(logdir, name), '{"ts":"x"}\n');
  return logdir;
}

const ctx = { id: 'req_r.1', action: 'log_event' };

describe('sogoms-logs retention', () => {
  it('at start deletes files older than each app retention (default 30) and keeps younger and unrelated ones', async () => {
    const today = new Date(2025, 2, 20, 10, 0, 0);
    const kept = [
      'prokov-20250313-events.log', // 7 days old, prokov keeps 7
      'prokov-20250320-errors.log',
      'other-20250218-events.log', // 30 days old, unconfigured app: default 30
      'constructor-20250218-events.log', // not Object.prototype.constructor's retention either
      'notes.txt',
      'prokov-20240101-events.log.gz',
      'prokov-20240101-access.log',
      'prokov-2024-events.log',
      '..-20240101-events.log',
      'sogoctl.log',
    ];
    const removed = [
      'prokov-20250312-events.log',
      'prokov-20250101-errors.log',
      'other-20250217-events.log',
      'constructor-20250217-events.log',
    ];
    const logdir = logdirWith([...kept, ...removed]);
    mkdirSync(join(logdir, 'archive-20200101-events.log.d'));
    const config = loadPlatformConfig(writeConfig({ prokov: 7 }));
    service = await createLogsService({ config, logdir, logger: silentLogger, clock: () => today });
    expect(listDir(logdir)).toEqual([...kept, 'archive-20200101-events.log.d'].sort());
  });

  it('sweeps again later, with the retention of a reloaded config', async () => {
    let now = new Date(2025, 5, 1, 12);
    const logdir = logdirWith(['prokov-20250520-events.log', 'prokov-20250531-events.log']);
    service = await createLogsService({
      config: loadPlatformConfig(writeConfig({ prokov: 30 })),
      logdir,
      logger: silentLogger,
      clock: () => now,
    });
    expect(listDir(logdir)).toHaveLength(2);
    now = new Date(2025, 5, 2, 12);
    expect((await service.sweep()).removed).toEqual([]);
    await service.reload!(loadPlatformConfig(writeConfig({ prokov: 5 })));
    expect((await service.sweep()).removed).toEqual([]); // the reload already swept
    expect(listDir(logdir)).toEqual(['prokov-20250531-events.log']);
  });

  it('never deletes a file the service still holds open', async () => {
    let now = new Date(2025, 0, 1, 12);
    const logdir = join(tempDir(), 'logs');
    service = await createLogsService({
      config: loadPlatformConfig(writeConfig({ prokov: 1 })),
      logdir,
      logger: silentLogger,
      clock: () => now,
    });
    await service.actions.log_event!({ app_id: 'prokov', event: 'x' }, ctx);
    now = new Date(2025, 0, 10, 12);
    await service.sweep();
    expect(listDir(logdir)).toEqual(['prokov-20250101-events.log']);
    // The first line of a new day closes the old file; the next sweep may then delete it.
    await service.actions.log_event!({ app_id: 'prokov', event: 'y' }, ctx);
    expect((await service.sweep()).removed).toEqual(['prokov-20250101-events.log']);
    expect(listDir(logdir)).toEqual(['prokov-20250110-events.log']);
  });

  it('parses only {app}-{YYYYMMDD}-{events|errors}.log names, apps with dashes included', () => {
    expect(parseLogFileName('my-app-20250101-errors.log')).toEqual({
      app: 'my-app',
      day: '20250101',
      type: 'errors',
    });
    expect(parseLogFileName('a-20250101-events.log.1')).toBeUndefined();
    expect(parseLogFileName('../x-20250101-events.log')).toBeUndefined();
    expect(dayBefore(new Date(2025, 2, 1), 1)).toBe('20250228');
    expect(dayBefore(new Date(2024, 2, 1), 1)).toBe('20240229');
  });
});
