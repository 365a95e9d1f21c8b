// cron/{app}.yaml: loaded into AppConfig.cron, every problem reported with its file and key path, and the
// repository's own config/cron/prokov.yaml valid against the production templates.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigTree, loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { makeTree, problemsOf } from './helpers.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const digest = `subject: "Tasks of {{.Date}}"\nbody: "{{range .Tasks}}{{.Title}}{{end}}"\n`;

function tree(cron: string, extra: Record<string, string> = {}) {
  return makeTree({
    ...prokovTree(),
    'emails/prokov/tasks_today.yaml': digest,
    'cron/prokov.yaml': cron,
    'secrets/hook': 'hook-secret\n',
    ...extra,
  });
}

describe('cron/{app}.yaml', () => {
  it('loads jobs of the three kinds with their defaults', () => {
    const dir = tree(`jobs:
  purge:
    schedule: "@daily"
    sql: { query: "DELETE FROM sessions WHERE expires_at < :scheduled_at" }
  digest:
    schedule: "0 7 * * *"
    timezone: Europe/Paris
    timeout: 90s
    catch_up: true
    mail:
      template: tasks_today
      query: "SELECT id, email, :today AS Date FROM users"
      lists: { Tasks: "SELECT title AS Title FROM tasks WHERE user_id = :id" }
  hook:
    schedule: "*/10 * * * * *"
    http: { url: "https://example.com/hook", secret_file: secrets/hook, headers: { X-Team: ops } }
`);
    const cron = loadPlatformConfig(dir).apps.prokov!.cron!;
    expect(cron.purge).toMatchObject({
      schedule: '@daily',
      timezone: 'UTC',
      timeoutMs: 300_000,
      catchUp: false,
    });
    expect(cron.purge!.action).toEqual({
      kind: 'sql',
      query: 'DELETE FROM sessions WHERE expires_at < :scheduled_at',
    });
    expect(cron.digest).toMatchObject({ timezone: 'Europe/Paris', timeoutMs: 90_000, catchUp: true });
    expect(cron.digest!.action).toMatchObject({ kind: 'mail', template: 'tasks_today', to: 'email' });
    expect(cron.hook!.action).toEqual({
      kind: 'http',
      url: 'https://example.com/hook',
      method: 'POST',
      headers: { 'X-Team': 'ops' },
      secret: 'hook-secret',
    });
  });

  it('reports every problem with the file and the key path', () => {
    const dir = tree(`jobs:
  bad:
    schedule: "61 * * * *"
    timezone: Mars/Base
    extra: 1
    sql: { query: "SELECT :user_id; DELETE FROM t" }
  both:
    schedule: "@hourly"
    sql: { query: "SELECT 1" }
    http: { url: "http://x" }
  mail:
    schedule: "0 7 * * *"
    mail: { template: nope, query: "SELECT ?" }
  hook:
    schedule: "1 2 3 4 5 6 7"
    timeout: 2h
    http: { url: "ftp://x", headers: { X-Sogoms-Signature: forged } }
`);
    const file = join(dir, 'cron', 'prokov.yaml');
    const problems = problemsOf(() => loadPlatformConfig(dir)).map(
      (p) => `${p.file === file ? '' : p.file}|${p.path}|${p.message}`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\|jobs\.bad\.extra\|unknown key \(expected one of: schedule, timezone/),
        expect.stringMatching(/^\|jobs\.bad\.schedule\|not a cron schedule .*Invalid value for minute: 61/),
        '|jobs.bad.timezone|unknown time zone "Mars/Base" (an IANA name such as Europe/Paris)',
        '|jobs.bad.sql.query|placeholder :user_id cannot be supplied here (allowed: :scheduled_at, :today, :job)',
        '|jobs.both|set only one of sql, mail, http (got sql, http)',
        '|jobs.mail.mail.template|no template "nope" in emails/{app}/ (file name without .yaml)',
        '|jobs.mail.mail.query|use :name placeholders, not "?"',
        expect.stringMatching(/^\|jobs\.hook\.schedule\|not a cron schedule/),
        '|jobs.hook.timeout|must be at most 1h',
        '|jobs.hook.http.url|expected an http:// or https:// URL',
        '|jobs.hook.http.headers.X-Sogoms-Signature|set by sogoms-cron itself',
      ]),
    );
    expect(problems.some((p) => p.includes('jobs.bad.sql.query') && p.includes('one statement'))).toBe(true);
  });

  it('refuses a cron file for an application that does not exist, also in sogoctl check', () => {
    const dir = tree('jobs: {}\n', { 'cron/ghost.yaml': 'jobs: {}\n' });
    const expected = {
      file: join(dir, 'cron', 'ghost.yaml'),
      path: '',
      message: 'no application "ghost" (routes/ghost.yaml)',
    };
    expect(problemsOf(() => loadPlatformConfig(dir))).toEqual([expected]);
    expect(checkConfigTree(dir)).toContainEqual(expected);
  });

  it('accepts the repository config/cron/prokov.yaml with the production email templates', () => {
    const dir = makeTree({
      ...prokovTree(),
      ...Object.fromEntries(
        ['tasks_today', 'welcome', 'password_reset', 'task_assigned'].map((name) => [
          `emails/prokov/${name}.yaml`,
          readFileSync(join(REPO, 'config', 'emails', 'prokov', `${name}.yaml`), 'utf8'),
        ]),
      ),
      'cron/prokov.yaml': readFileSync(join(REPO, 'config', 'cron', 'prokov.yaml'), 'utf8'),
    });
    const job = loadPlatformConfig(dir).apps.prokov!.cron!.tasks_today!;
    expect(job).toMatchObject({ schedule: '0 7 * * *', timezone: 'Europe/Paris', catchUp: true });
    expect(job.action).toMatchObject({ kind: 'mail', template: 'tasks_today', to: 'email' });
  });
});
