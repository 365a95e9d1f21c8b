// Issue 12 and 15 (in process): log rotation (renamed or deleted files are replaced, reopen() releases them), a
// log directory that cannot be written reported by health as degraded, and the 0640 mode of every log file.
import {
  chmodSync,
  mkdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { loadPlatformConfig } from '@sogoms/config';
import { ErrorCode } from '@sogoms/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../tests/helpers/rejection.js';
import { createLogsService, type LogsService } from '../src/logs-service.js';
import { listDir, openPaths, readLines, silentLogger, tempDir, writeConfig } from './helpers.js';

const ctx = { id: 'req_rot.1', action: 'test' };
const DAY = new Date(2025, 4, 6, 10);
const EVENTS = 'prokov-20250506-events.log';

let service: LogsService | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

async function start(logdir = join(tempDir(), 'logs')) {
  const config = loadPlatformConfig(writeConfig());
  service = await createLogsService({ config, logdir, logger: silentLogger, clock: () => DAY });
  const log = (event: string) => service!.actions.log_event!({ app_id: 'prokov', event }, ctx);
  return { logdir, service, log };
}

const events = (file: string) => readLines(file).map((l) => l.event);
const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe('sogoms-logs rotation', () => {
  it('a file renamed by log rotation is not written any more: the next line creates a new file at the path', async () => {
    const { logdir, log } = await start();
    await log('before');
    renameSync(join(logdir, EVENTS), join(logdir, `${EVENTS}.1`));
    await log('after');
    expect(events(join(logdir, `${EVENTS}.1`))).toEqual(['before']);
    expect(events(join(logdir, EVENTS))).toEqual(['after']);
  });

  it('a file deleted by log rotation is created again by the next line, which is not lost', async () => {
    const { logdir, log } = await start();
    await log('before');
    unlinkSync(join(logdir, EVENTS));
    await log('after');
    expect(events(join(logdir, EVENTS))).toEqual(['after']);
  });

  it('reopen() (what SIGHUP does) releases a rotated file at once; the next line opens the path again', async () => {
    const { logdir, log, service } = await start();
    await log('before');
    renameSync(join(logdir, EVENTS), join(logdir, `${EVENTS}.1`));
    expect(openPaths(process.pid)).toContain(join(logdir, `${EVENTS}.1`));
    await service.reopen();
    // logrotate compresses the rotated file after its postrotate SIGHUP: nothing may still hold it open.
    expect(openPaths(process.pid)).not.toContain(join(logdir, `${EVENTS}.1`));
    await log('after');
    expect(events(join(logdir, EVENTS))).toEqual(['after']);
  });

  it('a log directory removed while running is made again by the next line', async () => {
    const { logdir, log } = await start();
    await log('before');
    rmSync(logdir, { recursive: true });
    await log('after');
    expect(events(join(logdir, EVENTS))).toEqual(['after']);
  });
});

describe('sogoms-logs file modes', () => {
  it('log files are 0640, and an existing 0644 file is set to 0640 when opened (no world-readable logs)', async () => {
    const logdir = join(tempDir(), 'logs');
    mkdirSync(logdir);
    writeFileSync(join(logdir, EVENTS), '', { mode: 0o644 });
    chmodSync(join(logdir, EVENTS), 0o644);
    const { log, service } = await start(logdir);
    await log('x');
    await service.actions.log_error!({ app_id: 'prokov', level: 'warn', message: 'm' }, ctx);
    expect(mode(join(logdir, EVENTS))).toBe('640');
    expect(mode(join(logdir, 'prokov-20250506-errors.log'))).toBe('640');
    expect(events(join(logdir, EVENTS))).toEqual(['x']);
  });
});

describe('sogoms-logs degraded health', () => {
  it('an unwritable log directory (a file in its place) makes health degraded and log_event LOG_WRITE_ERROR, until it is fixed', async () => {
    const { logdir, log, service } = await start();
    await log('before');
    expect(await service.health!()).not.toHaveProperty('status');
    // The open file moves away with its directory: without the path check the line would go there, unseen.
    renameSync(logdir, `${logdir}.old`);
    writeFileSync(logdir, 'not a directory');
    const err = await rejection(log('lost'));
    expect(err.code).toBe(ErrorCode.LOG_WRITE_ERROR);
    expect(await service.health!()).toMatchObject({
      status: 'degraded',
      problems: [
        { path: logdir, error: 'ENOTDIR' },
        { path: join(logdir, EVENTS), error: 'ENOTDIR', since: expect.any(String) },
      ],
    });
    expect(events(join(`${logdir}.old`, EVENTS))).toEqual(['before']);

    unlinkSync(logdir);
    renameSync(`${logdir}.old`, logdir);
    await log('after');
    const health = await service.health!();
    expect(health).not.toHaveProperty('status');
    expect(health).not.toHaveProperty('problems');
    expect(events(join(logdir, EVENTS))).toEqual(['before', 'after']);
  });

  it('a file that cannot be written (a directory at its path) is named in health until a line gets through', async () => {
    const { logdir, log, service } = await start();
    mkdirSync(join(logdir, EVENTS));
    expect((await rejection(log('x'))).code).toBe(ErrorCode.LOG_WRITE_ERROR);
    expect(await service.health!()).toMatchObject({
      status: 'degraded',
      problems: [{ path: join(logdir, EVENTS), error: 'EISDIR' }],
    });
    rmdirSync(join(logdir, EVENTS));
    await log('y');
    expect(await service.health!()).not.toHaveProperty('status');
  });

  it('starts degraded instead of failing when the log directory cannot be made', async () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'file'), '');
    const logdir = join(parent, 'file', 'logs');
    const { log, service } = await start(logdir);
    expect(await service.health!()).toMatchObject({
      status: 'degraded',
      problems: [{ path: logdir, error: 'ENOTDIR' }],
    });
    expect((await rejection(log('x'))).code).toBe(ErrorCode.LOG_WRITE_ERROR);
    expect(listDir(parent)).toEqual(['file']);
  });
});
