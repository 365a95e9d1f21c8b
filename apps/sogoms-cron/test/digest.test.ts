// prokov's tasks_today digest (config/cron/prokov.yaml, emails/prokov/tasks_today.yaml) on the whole platform
// under sogoctl, on SQLite and MariaDB: `sogoctl cron run prokov tasks_today` sends one mail per user with open
// tasks due today (Paris date), read back from the .eml files of the file transport; `sogoctl cron list` shows
// the next run at 07:00 Paris time.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../../tests/helpers/build.js';
import { mariadbAvailable } from '../../../tests/helpers/mariadb.js';
import { type Driver, type Platform, ROOT, startPlatform, waitFor } from '../../../tests/helpers/platform.js';
import { dateIn } from '../src/runner.js';

const hasMariadb = await mariadbAvailable();
const drivers: Driver[] = hasMariadb ? ['sqlite', 'mysql'] : ['sqlite'];

let platform: Platform | undefined;
afterEach(async () => {
  await platform?.stop();
  platform = undefined;
});

function sogoctl(...args: string[]) {
  const result = spawnSync(join(ROOT, 'bin', 'sogoctl'), [...args, '-config', platform!.configDir], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function seed(p: Platform, today: string, tomorrow: string): Promise<void> {
  const statements: [string, unknown[]][] = [
    ["INSERT INTO users (id, email, password, name) VALUES (1, 'alice@example.test', 'x', 'Alice')", []],
    ["INSERT INTO users (id, email, password, name) VALUES (2, 'bob@example.test', 'x', 'Bob')", []],
    ["INSERT INTO projects (id, user_id, name) VALUES (1, 1, 'Garden')", []],
    [
      'INSERT INTO tasks (user_id, project_id, title, due_date, position) VALUES (1, 1, ?, ?, 1)',
      ['Water the roses', today],
    ],
    [
      'INSERT INTO tasks (user_id, title, due_date, position) VALUES (1, ?, ?, 2)',
      ['Call the plumber', today],
    ],
    ['INSERT INTO tasks (user_id, title, due_date, done) VALUES (1, ?, ?, 1)', ['Already done', today]],
    ['INSERT INTO tasks (user_id, title, due_date) VALUES (1, ?, ?)', ['Not today', tomorrow]],
    ['INSERT INTO tasks (user_id, title, due_date) VALUES (2, ?, ?)', ['Bob tomorrow', tomorrow]],
  ];
  if (p.db) {
    for (const [sql, args] of statements) await p.db.exec(sql, args);
    return;
  }
  const sqlite = new Database(p.sqliteFile!);
  try {
    for (const [sql, args] of statements) sqlite.prepare(sql).run(...(args as never[]));
  } finally {
    sqlite.close();
  }
}

describe.each(drivers)('prokov tasks_today digest (%s)', (driver) => {
  it('is sent by `sogoctl cron run` to each user with tasks due today, read from the .eml file', async () => {
    ensureBuilt('sogoms-cron');
    platform = await startPlatform({ driver, cronDir: join(ROOT, 'config', 'cron') });
    const now = new Date();
    const today = dateIn(now, 'Europe/Paris');
    const tomorrow = dateIn(new Date(now.getTime() + 86_400_000), 'Europe/Paris');
    await seed(platform, today, tomorrow);
    const socket = join(platform.runDir, 'sogoms-cron.1.sock');
    await waitFor(async () => readdirSync(platform!.runDir).includes('sogoms-cron.1.sock'), 20_000, socket);

    const listed = await waitFor(async () => {
      const r = sogoctl('cron', 'list');
      return r.code === 0 ? r : undefined;
    });
    expect(listed.stdout).toMatch(/^APP\s+JOB\s+KIND\s+SCHEDULE/);
    // 07:00 in Paris is 06:00 UTC in winter, 05:00 UTC in summer.
    expect(listed.stdout).toMatch(
      /prokov\s+tasks_today\s+mail\s+0 7 \* \* \*\s+Europe\/Paris\s+\d{4}-\d\d-\d\d 0[56]:00:00/,
    );

    const run = sogoctl('cron', 'run', 'prokov', 'tasks_today');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('prokov/tasks_today: ok');
    expect(run.stdout).toContain('mails sent 1, failed 0');
    expect(run.code).toBe(0);

    const mailDir = join(platform.dir, 'mail');
    const files = readdirSync(mailDir).filter((n) => n.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(mailDir, files[0]!)));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('alice@example.test');
    expect(mail.subject).toBe(`Prokov : vos tâches du ${today}`);
    expect(mail.text).toContain('Bonjour Alice,');
    expect(mail.text).toContain('- Water the roses [Garden]');
    expect(mail.text).toContain('- Call the plumber\n');
    expect(mail.text).not.toContain('Already done');
    expect(mail.text).not.toContain('Not today');
    expect(mail.html).toContain('<li>Water the roses <em>[Garden]</em></li>');

    // The run is in the app's event log of sogoms-logs, written after the answer: wait for it, and read only
    // whole lines (the file may exist empty, or end in a line being written).
    const runEvents = () =>
      readdirSync(platform!.logDir)
        .filter((n) => n.startsWith('prokov-') && n.endsWith('-events.log'))
        .flatMap((n) => readFileSync(join(platform!.logDir, n), 'utf8').split('\n').slice(0, -1))
        .map((line) => JSON.parse(line) as { event: string; data: Record<string, unknown> })
        .filter((e) => e.event === 'cron_run');
    await waitFor(async () => runEvents().length > 0, 5_000, 'the cron_run event in the events log');
    const events = runEvents();
    expect(events.at(-1)?.data).toMatchObject({
      job: 'tasks_today',
      trigger: 'manual',
      outcome: 'ok',
      rows: 1,
      mails: { sent: 1, failed: 0 },
    });

    const unknown = sogoctl('cron', 'run', 'prokov', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no job nope in cron/prokov.yaml (NOT_FOUND)');
  });
});
