// cron/{app}.yaml: the scheduled jobs of one application, run by sogoms-cron. Schedules are read by croner (the
// same library sogoms-cron schedules with), so a pattern that passes here is one the service can run.
import { basename, join } from 'node:path';
import { compileNamed, findTopLevelClauses, isIdentifier } from '@sogoms/sql';
import { Cron } from 'croner';
import { yamlFiles } from './dir-list.js';
import type { FileReport } from './errors.js';
import type { Env } from './expand.js';
import { readSecret } from './paths.js';
import { Section } from './schema.js';
import { checkPlaceholders } from './sql-check.js';
import { loadTree } from './tree.js';
import type {
  AppConfig,
  ConfigProblem,
  CronHttpAction,
  CronJob,
  CronMailAction,
  CronSqlAction,
  EmailTemplate,
} from './types.js';

export const DEFAULT_CRON_TIMEZONE = 'UTC';
export const DEFAULT_CRON_TIMEOUT_MS = 5 * 60_000;
/** The longest timeout a job may have (`sogoctl cron run` waits that long for the answer). */
export const MAX_CRON_TIMEOUT_MS = 60 * 60_000;
export const DEFAULT_MAIL_TO_COLUMN = 'email';
/** Values sogoms-cron binds in every job's SQL. */
export const CRON_PLACEHOLDERS = ['scheduled_at', 'today', 'job'] as const;
/** croner's mode: 5 fields, or 6 with seconds first; nicknames (@hourly, @daily...) are expanded by croner. */
export const CRON_PATTERN_MODE = '5-or-6-parts';

const JOB_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const JOB_KEYS = ['schedule', 'timezone', 'timeout', 'catch_up', 'sql', 'mail', 'http'];
const KINDS = ['sql', 'mail', 'http'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// Headers sogoms-cron sets itself on a webhook call.
const OWN_HEADERS = ['content-type', 'x-sogoms-timestamp', 'x-sogoms-signature', 'content-length', 'host'];

/** Reads cron/{app}.yaml; undefined when it cannot be parsed (already reported). */
export function readCronFile(
  report: FileReport,
  env: Env,
  root: string,
  emails: Readonly<Record<string, EmailTemplate>>,
): Record<string, CronJob> | undefined {
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, ['jobs']);
  const jobs: Record<string, CronJob> = {};
  for (const [name, raw] of s.entries('jobs')) {
    const path = s.at('jobs');
    if (!JOB_NAME.test(name)) {
      report.add(`${path}.${name}`, 'job names use letters, digits, "_" and "-" only (at most 64)');
      continue;
    }
    const job = readJob(new Section(report, `${path}.${name}`, raw, JOB_KEYS), name, root, emails);
    if (job) jobs[name] = job;
  }
  return jobs;
}

/** A cron/{app}.yaml without routes/{app}.yaml would never run: said, not ignored. */
export function checkCronApps(
  root: string,
  apps: Readonly<Record<string, AppConfig>>,
  problems: ConfigProblem[],
): void {
  for (const file of yamlFiles(join(root, 'cron'))) {
    const app = basename(file, '.yaml');
    if (!apps[app])
      problems.push({ file, path: '', message: `no application "${app}" (routes/${app}.yaml)` });
  }
}

function readJob(
  s: Section,
  name: string,
  root: string,
  emails: Readonly<Record<string, EmailTemplate>>,
): CronJob | undefined {
  const timezone = readTimezone(s);
  const schedule = readSchedule(s, timezone);
  const timeoutMs = readTimeout(s);
  const catchUp = s.bool('catch_up', false);
  const kinds = KINDS.filter((kind) => s.has(kind));
  if (kinds.length !== 1) {
    s.report.add(
      s.path,
      kinds.length === 0
        ? 'needs one of: sql, mail, http'
        : `set only one of sql, mail, http (got ${kinds.join(', ')})`,
    );
    return undefined;
  }
  const kind = kinds[0]!;
  const action =
    kind === 'sql'
      ? readSqlAction(s.section('sql', ['query']))
      : kind === 'mail'
        ? readMailAction(s.section('mail', ['template', 'query', 'to', 'lists']), emails)
        : readHttpAction(s.section('http', ['url', 'method', 'headers', 'secret', 'secret_file']), root);
  if (!schedule || !action) return undefined;
  return { name, schedule, timezone, timeoutMs, catchUp, action };
}

function readTimeout(s: Section): number {
  const ms = s.duration('timeout', DEFAULT_CRON_TIMEOUT_MS, 1000);
  if (ms <= MAX_CRON_TIMEOUT_MS) return ms;
  s.report.add(s.at('timeout'), 'must be at most 1h');
  return DEFAULT_CRON_TIMEOUT_MS;
}

function readTimezone(s: Section): string {
  const timezone = s.string('timezone', { required: s.has('timezone') });
  if (timezone === undefined) return DEFAULT_CRON_TIMEZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone;
  } catch {
    s.report.add(
      s.at('timezone'),
      `unknown time zone ${s.report.quote(s.at('timezone'), timezone)} (an IANA name such as Europe/Paris)`,
    );
    return DEFAULT_CRON_TIMEZONE;
  }
}

function readSchedule(s: Section, timezone: string): string | undefined {
  const schedule = s.string('schedule', { required: true });
  if (schedule === undefined) return undefined;
  const error = scheduleError(schedule.trim(), timezone);
  if (error) {
    s.report.add(s.at('schedule'), error);
    return undefined;
  }
  return schedule.trim();
}

/** Why croner refuses a pattern (or never runs it), or undefined when it is a usable schedule. */
export function scheduleError(schedule: string, timezone: string): string | undefined {
  try {
    const cron = new Cron(schedule, { paused: true, mode: CRON_PATTERN_MODE, timezone });
    if (cron.nextRun() === null) return 'never runs (no date matches it)';
    return undefined;
  } catch (err) {
    const reason = (err as Error).message.replace(/^CronPattern: /, '');
    return `not a cron schedule (5 fields, 6 with seconds first, or @hourly/@daily/@weekly/@monthly/@yearly): ${reason}`;
  }
}

/** One statement, :name placeholders only (sogoms-cron binds them), nothing after a ";". */
function readJobSql(s: Section, key: string, allowed: readonly string[] | 'any'): string | undefined {
  const sql = s.string(key, { required: true });
  if (sql === undefined) return undefined;
  if (sql.trim() === '') {
    s.report.add(s.at(key), 'must not be empty');
    return undefined;
  }
  const path = s.at(key);
  if (allowed !== 'any' && !checkPlaceholders(s, path, sql, allowed)) return undefined;
  try {
    const compiled = compileNamed(sql);
    if (compiled.positional > 0) s.report.add(path, 'use :name placeholders, not "?"');
    const semicolon = findTopLevelClauses(sql).semicolon;
    if (semicolon !== undefined && sql.slice(semicolon + 1).trim() !== '')
      s.report.add(path, 'one statement only (nothing may follow ";")');
  } catch (err) {
    s.report.add(path, `cannot read SQL: ${(err as Error).message}`);
    return undefined;
  }
  return sql.trim();
}

function readSqlAction(s: Section): CronSqlAction | undefined {
  const query = readJobSql(s, 'query', CRON_PLACEHOLDERS);
  return query === undefined ? undefined : { kind: 'sql', query };
}

function readMailAction(
  s: Section,
  emails: Readonly<Record<string, EmailTemplate>>,
): CronMailAction | undefined {
  const template = s.string('template', { required: true });
  if (template !== undefined && !emails[template])
    s.report.add(
      s.at('template'),
      `no template ${s.report.quote(s.at('template'), template)} in emails/{app}/ (file name without .yaml)`,
    );
  const query = readJobSql(s, 'query', CRON_PLACEHOLDERS);
  const to = s.string('to', { required: s.has('to') }) ?? DEFAULT_MAIL_TO_COLUMN;
  if (!isIdentifier(to)) s.report.add(s.at('to'), 'not a column name (letters, digits, _)');
  const lists: Record<string, string> = {};
  for (const [field, value] of s.entries('lists')) {
    if (!isIdentifier(field)) {
      s.report.add(`${s.at('lists')}.${field}`, 'not a template field name (letters, digits, _)');
      continue;
    }
    // Placeholders of a list query may name any column of the row, so they are checked when the job runs.
    const sql = readJobSql(new Section(s.report, s.at('lists'), { [field]: value }, [field]), field, 'any');
    if (sql !== undefined) lists[field] = sql;
  }
  if (template === undefined || query === undefined || !emails[template] || !isIdentifier(to))
    return undefined;
  return { kind: 'mail', template, query, to, lists };
}

function readHttpAction(s: Section, root: string): CronHttpAction | undefined {
  const url = s.string('url', { required: true });
  let ok = url !== undefined;
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      s.report.add(s.at('url'), 'expected an http:// or https:// URL');
      ok = false;
    }
  }
  const method = s.oneOf('method', METHODS, 'POST');
  const headers: Record<string, string> = {};
  for (const [name, value] of s.entries('headers')) {
    const path = `${s.at('headers')}.${name}`;
    if (!HEADER_NAME.test(name)) s.report.add(path, 'not a header name');
    else if (OWN_HEADERS.includes(name.toLowerCase())) s.report.add(path, 'set by sogoms-cron itself');
    else if (typeof value !== 'string' && typeof value !== 'number') s.report.add(path, 'expected a string');
    else if (/[\r\n\0]/.test(String(value))) s.report.add(path, 'must not contain a line break');
    else headers[name] = String(value);
  }
  const secret = readSecret(s, root, 'secret');
  if (secret === '') s.report.add(s.at(s.has('secret') ? 'secret' : 'secret_file'), 'secret is empty');
  if (!ok || url === undefined) return undefined;
  const action: CronHttpAction = { kind: 'http', url, method, headers };
  if (secret) action.secret = secret;
  return action;
}
