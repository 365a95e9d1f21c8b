import { isIP } from 'node:net';
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
import { CORS_KEYS, readCors } from './cors.js';
import type { FileReport } from './errors.js';
import type { Env } from './expand.js';
import { fileSource } from './file-source.js';
import { PUSH_KEYS, readPush } from './push.js';
import { Section } from './schema.js';
import { loadTree } from './tree.js';
import type { AppConfig } from './types.js';

export const DEFAULT_BASE_PATH = '/api';
export const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const APP_KEYS = [
  'app',
  'version',
  'base_path',
  'hosts',
  'trust_proxy',
  'trusted_proxies',
  'database',
  'auth',
  'smtp',
  'logs',
  'push',
  'cors',
  'errors',
];
/** The proxies believed when `trust_proxy: true` names none: a reverse proxy on the same machine. */
export const DEFAULT_TRUSTED_PROXIES: readonly string[] = ['127.0.0.0/8', '::1/128'];
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
  // Read in this order so that problems are reported in the order of the keys.
  const version = readVersion(s);
  const basePath = readBasePath(s);
  const trustProxy = s.bool('trust_proxy', false);
  const settings: AppSettings = {
    file: report.file,
    app: fileApp,
    version,
    basePath,
    hosts: hosts.map((h) => h.host),
    trustProxy,
    trustedProxies: readTrustedProxies(s, trustProxy),
    database: readDatabase(s.section('database', DATABASE_KEYS), root),
    auth: readAuth(s.section('auth', AUTH_KEYS), root),
    logs: readLogs(s.section('logs', LOGS_KEYS)),
  };
  if (smtp.present) settings.smtp = readSmtp(smtp, root);
  const push = readPush(s.section('push', PUSH_KEYS), root);
  if (push) settings.push = push;
  const cors = readCors(s.section('cors', CORS_KEYS));
  if (cors) settings.cors = cors;
  const errors = s.section('errors', ['detail']);
  if (errors.present) settings.errors = { detail: errors.bool('detail', false) };
  return { settings, hostPaths: hosts.map((h) => h.path) };
}

/**
 * `version` as written. Unquoted, `version: 1.0` is a YAML number (1) and would read "1": the number's source
 * text is taken back from the file, so the version shown is the one the developer wrote.
 */
function readVersion(s: Section): string {
  const raw = s.raw('version');
  if (typeof raw === 'number') {
    try {
      const line = /^version:[ \t]*([0-9][0-9._eE+-]*)[ \t]*(?:#.*)?$/m.exec(
        fileSource().readText(s.report.file),
      );
      if (line?.[1] !== undefined && Number(line[1]) === raw) return line[1];
    } catch {
      // unreadable now: the parsed number below still says something
    }
  }
  return s.string('version') ?? '';
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

/** `trusted_proxies`: IPv4/IPv6 addresses or CIDRs, normalised to "address/prefix". */
function readTrustedProxies(s: Section, trustProxy: boolean): readonly string[] {
  const entries = s.stringList('trusted_proxies');
  if (s.has('trusted_proxies') && !trustProxy) {
    s.report.add(s.at('trusted_proxies'), 'only used with trust_proxy: true');
    return [];
  }
  if (!trustProxy) return [];
  if (!s.has('trusted_proxies')) return DEFAULT_TRUSTED_PROXIES;
  const raw = s.raw('trusted_proxies');
  if (Array.isArray(raw) && raw.length === 0)
    s.report.add(s.at('trusted_proxies'), 'must not be empty (leave it out to trust loopback only)');
  const out: string[] = [];
  for (const { value, path } of entries) {
    const cidr = parseCidr(value.trim());
    if (cidr) out.push(cidr);
    else
      s.report.add(
        path,
        `expected an IP address or CIDR like 10.0.0.0/8 or fd00::/8 (got ${s.report.quote(path, value)})`,
      );
  }
  return out;
}

/** "10.1.2.3" → "10.1.2.3/32", "fd00::/8" → "fd00::/8"; undefined when not an address or CIDR. */
function parseCidr(raw: string): string | undefined {
  const slash = raw.indexOf('/');
  const address = slash === -1 ? raw : raw.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (slash === -1) return `${address}/${max}`;
  const prefix = raw.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
  return `${address}/${Number(prefix)}`;
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
