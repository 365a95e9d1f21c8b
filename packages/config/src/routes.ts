import { basename } from 'node:path';
import {
  AUTH_KEYS,
  DATABASE_KEYS,
  LOGS_KEYS,
  readAuth,
  readDatabase,
  readLogs,
  readSmtp,
  SMTP_KEYS,
} from './app-settings.js';
import type { FileReport } from './errors.js';
import type { Env } from './expand.js';
import { Section } from './schema.js';
import { loadTree } from './tree.js';
import type { AppConfig } from './types.js';

export const DEFAULT_BASE_PATH = '/api';
export const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const APP_KEYS = ['app', 'version', 'base_path', 'hosts', 'trust_proxy', 'database', 'auth', 'smtp', 'logs'];
const HOST = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/;

/** The routes/{app}.yaml part of an app (queries and emails are added by the caller). */
export type AppSettings = Omit<AppConfig, 'authQueries' | 'resources' | 'emails'>;

/** An app's settings, with the key path of each host (for problems found across apps). */
export interface AppFile {
  settings: AppSettings;
  hostPaths: string[];
}

/** Reads one routes/{app}.yaml; undefined when the file cannot be parsed at all (already reported). */
export function readAppFile(report: FileReport, root: string, env: Env): AppFile | undefined {
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, APP_KEYS);
  const fileApp = basename(report.file, '.yaml');
  if (!APP_NAME.test(fileApp)) {
    report.add('', 'app file names use letters, digits, "_" and "-" only (the name is the app id)');
  }
  const app = s.string('app');
  if (app !== undefined && app !== fileApp) {
    report.add('app', `must equal the file name "${fileApp}" (got ${report.quote('app', app)})`);
  }
  const smtp = s.section('smtp', SMTP_KEYS);
  const hosts = readHosts(s);
  const settings: AppSettings = {
    file: report.file,
    app: fileApp,
    version: s.string('version') ?? '',
    basePath: readBasePath(s),
    hosts: hosts.map((h) => h.host),
    trustProxy: s.bool('trust_proxy', false),
    database: readDatabase(s.section('database', DATABASE_KEYS), root),
    auth: readAuth(s.section('auth', AUTH_KEYS), root),
    logs: readLogs(s.section('logs', LOGS_KEYS)),
  };
  if (smtp.present) settings.smtp = readSmtp(smtp, root);
  return { settings, hostPaths: hosts.map((h) => h.path) };
}

function readBasePath(s: Section): string {
  const raw = s.string('base_path') ?? DEFAULT_BASE_PATH;
  if (!/^\/[A-Za-z0-9_.~/-]*$/.test(raw) || raw.includes('//')) {
    s.report.add(s.at('base_path'), 'expected a path starting with "/" (like /api)');
    return DEFAULT_BASE_PATH;
  }
  // No trailing slash, so routes join as basePath + "/auth/login"; "/" becomes "".
  return raw.replace(/\/+$/, '');
}

function readHosts(s: Section): { host: string; path: string }[] {
  const hosts: { host: string; path: string }[] = [];
  for (const { value, path } of s.stringList('hosts', { required: true })) {
    const host = value.trim().toLowerCase();
    if (!HOST.test(host))
      s.report.add(path, `not a host name (no scheme, port or path): ${s.report.quote(path, value)}`);
    else if (hosts.some((h) => h.host === host))
      s.report.add(path, `duplicate host ${s.report.quote(path, host)}`);
    else hosts.push({ host, path });
  }
  return hosts;
}
