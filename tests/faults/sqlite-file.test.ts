// Issue 11, faults: the platform on SQLite under a steady mixed load (creates among reads and logins) while
// the database file is replaced (moved over by another file, as a restore would) and then deleted (`rm`, its
// -wal and -shm left behind). A write answered 2xx must be stored in the file that is at the configured path:
//  - replaced: every create answered 201 that started after the replacement is in the new file;
//  - deleted: nothing started after the deletion is answered 2xx, sogoms-db's health and the gateway's
//    /health `databases` count report the database down, a restarted sogoms-db does not create an empty file
//    in its place, and a file put back at the path is used again.
import { existsSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, ROOT, startPlatform, waitFor } from '../helpers/platform.js';
import {
  killService,
  loadOn,
  seedUsers,
  servedOr503,
  sleep,
  unexpected,
  waitHealthyAgain,
} from './support/faults.js';
import type { Answer, LoadUser } from './support/mixed-load.js';

const REPLACEMENT_IDS = 1_000_000;
const DOWN = { driver: 'sqlite', status: 'down', error: 'database file missing' };

/** The task ids among `ids` that the file at `path` holds (read by a connection of its own, then closed). */
function taskIdsIn(path: string, ids: number[]): Set<number> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT id FROM tasks WHERE id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as { id: number }[];
    return new Set(rows.map((r) => Number(r.id)));
  } finally {
    db.close();
  }
}

const createdAfter = (answers: Answer[], t: number): number[] =>
  answers.filter((a) => a.op === 'create' && a.status === 201 && a.start >= t).map((a) => a.insertId!);

describe('SQLite file replaced or deleted under a write load', () => {
  let p: Platform;
  let users: LoadUser[];
  let file: string;

  beforeAll(async () => {
    p = await startPlatform({ driver: 'sqlite' });
    file = p.sqliteFile!;
    users = await seedUsers(p, 4, 5);
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
  });

  const dbHealth = async () =>
    ((await callOnce(join(p.runDir, 'sogoms-db.1.sock'), 'health')) as { apps: Record<string, unknown> })
      .apps['prokov'];
  const gatewayDatabases = async () =>
    ((await p.request('GET', '/health')).body.data as { databases?: unknown } | undefined)?.databases;

  it('replaced: every create answered 201 after the replacement is stored in the new file', async () => {
    const running = loadOn(p, users);
    await sleep(1_000);
    // The replacement holds everything up to now (users included), so the load goes on against it; its task
    // ids start past REPLACEMENT_IDS, which tells a task stored in it from one stored in the old file.
    const copy = join(p.dir, 'replacement.db');
    const live = new Database(file, { readonly: true });
    await live.backup(copy);
    live.close();
    const replacement = new Database(copy);
    replacement.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'tasks'").run(REPLACEMENT_IDS);
    replacement.close();
    renameSync(copy, file);
    const replacedAt = Date.now();
    await sleep(2_000);
    const answers = await running.stop();
    expect(unexpected(answers, replacedAt, servedOr503), 'neither 2xx nor a 503 envelope').toEqual([]);
    const ids = createdAfter(answers, replacedAt);
    expect(ids.length, 'creates served on the new file').toBeGreaterThan(10);
    expect(
      ids.filter((id) => id <= REPLACEMENT_IDS),
      'answered 201 but stored in the old file',
    ).toEqual([]);
    const found = taskIdsIn(file, ids);
    expect(
      ids.filter((id) => !found.has(id)),
      'answered 201 but not in the file at the path',
    ).toEqual([]);
    expect(await dbHealth()).toEqual({ driver: 'sqlite', status: 'ok' });
  }, 60_000);

  it('deleted: nothing is acknowledged after the deletion, the database is down, and stays absent at restart', async () => {
    const running = loadOn(p, users);
    await sleep(1_000);
    unlinkSync(file);
    const deletedAt = Date.now();
    await sleep(1_500);
    const answers = await running.stop();
    const after = answers.filter((a) => a.start >= deletedAt);
    expect(after.filter((a) => a.op === 'create').length, 'creates tried after the deletion').toBeGreaterThan(
      5,
    );
    expect(unexpected(answers, deletedAt, servedOr503), 'neither 2xx nor a 503 envelope').toEqual([]);
    expect(
      unexpected(after, deletedAt, (a) => servedOr503(a) && a.status === 503),
      'answered 2xx after the database file was deleted',
    ).toEqual([]);

    expect(await dbHealth()).toEqual(DOWN);
    expect(await gatewayDatabases()).toEqual({ ok: 0, down: 1 });
    expect(existsSync(file), 'file recreated').toBe(false);

    // A restart of sogoms-db: still down, and no empty database is created in place of the missing one.
    const { pid } = await killService(p, 'sogoms-db');
    await waitHealthyAgain(p, 'sogoms-db', pid);
    const register = await p.request('POST', '/api/auth/register', {
      body: { email: `after-restart-${Date.now()}@example.com`, password: 'fault-password-1', name: 'R' },
    });
    expect(register.status).toBe(503);
    expect(await dbHealth()).toEqual(DOWN);
    expect(await gatewayDatabases()).toEqual({ ok: 0, down: 1 });
    expect(existsSync(file), 'file recreated at restart').toBe(false);

    // The file put back (here a new one from the schema): the database is up again without a restart.
    const restored = new Database(file);
    restored.pragma('journal_mode = WAL');
    restored.exec(readFileSync(join(ROOT, 'clients', 'prokov.sqlite.sql'), 'utf8'));
    restored.close();
    await waitFor(
      async () => JSON.stringify(await gatewayDatabases()) === JSON.stringify({ ok: 1, down: 0 }),
      10_000,
      'database up again',
    );
    const email = `restored-${Date.now()}@example.com`;
    const again = await p.request('POST', '/api/auth/register', {
      body: { email, password: 'fault-password-1', name: 'R' },
    });
    expect(again.status).toBe(201);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT email FROM users').all()).toEqual([{ email }]);
    db.close();
  }, 90_000);
});
