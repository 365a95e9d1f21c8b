import { readSecret, resolveAgainst } from './paths.js';
import type { Section } from './schema.js';
import type {
  AuthSettings,
  DatabaseSettings,
  LogsSettings,
  RateLimitSettings,
  SmtpSettings,
} from './types.js';

export const DEFAULT_DB_HOST = '127.0.0.1';
export const DEFAULT_DB_PORT = 3306;
export const DEFAULT_DB_POOL = 10;
export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
/** An app's MariaDB connection left unused this long is closed (sogoms-db's pools never keep one forever). */
export const DEFAULT_DB_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_JWT_EXPIRY_MS = 24 * 3_600_000;
/** With sessions (the default): the access token's lifetime, and the refresh token's (sliding) one. */
export const DEFAULT_ACCESS_TTL_MS = 15 * 60_000;
export const DEFAULT_REFRESH_TTL_MS = 30 * 24 * 3_600_000;
export const DEFAULT_BCRYPT_COST = 10;
export const DEFAULT_PASSWORD_MIN_LENGTH = 8;
export const DEFAULT_RATE_LIMIT: RateLimitSettings = {
  enabled: true,
  loginFailuresPerEmail: 10,
  loginFailuresWindowMs: 15 * 60_000,
  loginPerIp: 100,
  loginPerIpWindowMs: 60_000,
  registerPerIp: 20,
  registerPerIpWindowMs: 3_600_000,
  forgotPerEmail: 3,
  forgotPerEmailWindowMs: 3_600_000,
  verifyPerEmail: 3,
  verifyPerEmailWindowMs: 3_600_000,
};
export const DEFAULT_SMTP_PORT = 587;
export const DEFAULT_SMTPS_PORT = 465;
export const DEFAULT_RETENTION_DAYS = 30;

export const DATABASE_KEYS = [
  'driver',
  'host',
  'port',
  'socket',
  'user',
  'password',
  'password_file',
  'name',
  'file',
  'create',
  'pool',
  'query_timeout',
  'idle_timeout',
];
export const AUTH_KEYS = [
  'jwt_secret',
  'jwt_secret_file',
  'jwt_expiry',
  'sessions',
  'access_ttl',
  'refresh_ttl',
  'require_verified_email',
  'bcrypt_cost',
  'password_min_length',
  'rate_limit',
];
const RATE_LIMIT_KEYS = [
  'enabled',
  'login_failures_per_email',
  'login_failures_window',
  'login_per_ip',
  'login_per_ip_window',
  'register_per_ip',
  'register_per_ip_window',
  'forgot_per_email',
  'forgot_per_email_window',
  'verify_per_email',
  'verify_per_email_window',
];
export const SMTP_KEYS = [
  'transport',
  'host',
  'port',
  'user',
  'password',
  'password_file',
  'from',
  'from_name',
  'tls',
  'dir',
];
export const LOGS_KEYS = ['retention_days'];

const PORT_MAX = 65_535;
const BIG = 1_000_000_000;

export function readDatabase(s: Section, root: string): DatabaseSettings {
  if (!s.present) s.report.add(s.path, 'is required');
  const driver = s.oneOf('driver', ['mysql', 'sqlite'] as const, 'mysql');
  const db: DatabaseSettings = {
    driver,
    host: s.string('host', { required: s.has('host') }) ?? DEFAULT_DB_HOST,
    port: s.int('port', DEFAULT_DB_PORT, 1, PORT_MAX),
    user: s.string('user', { required: driver === 'mysql' && s.present }) ?? '',
    password: readSecret(s, root, 'password') ?? '',
    name: s.string('name', { required: driver === 'mysql' && s.present }) ?? '',
    pool: s.int('pool', DEFAULT_DB_POOL, 1, 1_000),
    queryTimeoutMs: s.duration('query_timeout', DEFAULT_QUERY_TIMEOUT_MS),
    idleTimeoutMs: s.duration('idle_timeout', DEFAULT_DB_IDLE_TIMEOUT_MS, 100),
  };
  const socket = s.string('socket', { required: s.has('socket') });
  if (socket) db.socket = resolveAgainst(root, socket);
  const file = s.string('file', { required: driver === 'sqlite' && s.present });
  if (file && driver === 'sqlite') db.file = resolveAgainst(root, file);
  else if (file !== undefined && driver !== 'sqlite')
    s.report.add(s.at('file'), 'only used with driver: sqlite');
  const create = s.bool('create', false);
  if (driver === 'sqlite') db.create = create;
  else if (s.has('create')) s.report.add(s.at('create'), 'only used with driver: sqlite');
  return db;
}

export function readAuth(s: Section, root: string): AuthSettings {
  if (!s.present) s.report.add(s.path, 'is required (jwt_secret_file)');
  const jwtSecret = readSecret(s, root, 'jwt_secret', { required: s.present });
  if (jwtSecret === '')
    s.report.add(s.at(s.has('jwt_secret') ? 'jwt_secret' : 'jwt_secret_file'), 'secret is empty');
  const r = s.section('rate_limit', RATE_LIMIT_KEYS);
  const d = DEFAULT_RATE_LIMIT;
  const sessions = s.bool('sessions', true);
  // Each lifetime key belongs to one mode, so a value that would be ignored is reported rather than dropped.
  const onlyWith = (key: string, mode: string) => {
    if (s.has(key)) s.report.add(s.at(key), `only used with sessions: ${mode}`);
  };
  let jwtExpiryMs: number;
  let refreshTtlMs = 0;
  if (sessions) {
    onlyWith('jwt_expiry', 'false (with sessions the access token lasts access_ttl)');
    jwtExpiryMs = s.duration('access_ttl', DEFAULT_ACCESS_TTL_MS, 1_000);
    refreshTtlMs = s.duration('refresh_ttl', DEFAULT_REFRESH_TTL_MS, 60_000);
    if (s.has('refresh_ttl') && refreshTtlMs <= jwtExpiryMs)
      s.report.add(s.at('refresh_ttl'), 'must be longer than access_ttl');
  } else {
    onlyWith('access_ttl', 'true (the seed token lasts jwt_expiry)');
    onlyWith('refresh_ttl', 'true (no refresh tokens without sessions)');
    jwtExpiryMs = s.duration('jwt_expiry', DEFAULT_JWT_EXPIRY_MS, 1_000);
  }
  return {
    jwtSecret: jwtSecret ?? '',
    jwtExpiryMs,
    sessions,
    refreshTtlMs,
    requireVerifiedEmail: s.bool('require_verified_email', false),
    bcryptCost: s.int('bcrypt_cost', DEFAULT_BCRYPT_COST, 4, 15),
    // bcrypt only looks at the first 72 bytes, so a longer minimum could never be met meaningfully.
    passwordMinLength: s.int('password_min_length', DEFAULT_PASSWORD_MIN_LENGTH, 1, 72),
    rateLimit: {
      enabled: r.bool('enabled', d.enabled),
      loginFailuresPerEmail: r.int('login_failures_per_email', d.loginFailuresPerEmail, 1, BIG),
      loginFailuresWindowMs: r.duration('login_failures_window', d.loginFailuresWindowMs),
      loginPerIp: r.int('login_per_ip', d.loginPerIp, 1, BIG),
      loginPerIpWindowMs: r.duration('login_per_ip_window', d.loginPerIpWindowMs),
      registerPerIp: r.int('register_per_ip', d.registerPerIp, 1, BIG),
      registerPerIpWindowMs: r.duration('register_per_ip_window', d.registerPerIpWindowMs),
      forgotPerEmail: r.int('forgot_per_email', d.forgotPerEmail, 1, BIG),
      forgotPerEmailWindowMs: r.duration('forgot_per_email_window', d.forgotPerEmailWindowMs),
      verifyPerEmail: r.int('verify_per_email', d.verifyPerEmail, 1, BIG),
      verifyPerEmailWindowMs: r.duration('verify_per_email_window', d.verifyPerEmailWindowMs),
    },
  };
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

export function readSmtp(s: Section, root: string): SmtpSettings {
  const transport = s.oneOf('transport', ['smtp', 'file'] as const, 'smtp');
  const tls = s.bool('tls', false);
  const from = s.string('from', { required: true }) ?? '';
  if (from && !ADDRESS.test(from)) s.report.add(s.at('from'), 'expected an email address');
  const smtp: SmtpSettings = {
    transport,
    host: s.string('host', { required: transport === 'smtp' }) ?? '',
    port: s.int('port', tls ? DEFAULT_SMTPS_PORT : DEFAULT_SMTP_PORT, 1, PORT_MAX),
    from,
    tls,
  };
  const user = s.string('user');
  if (user !== undefined) smtp.user = user;
  const password = readSecret(s, root, 'password');
  if (password !== undefined) smtp.password = password;
  const fromName = s.string('from_name');
  if (fromName !== undefined) {
    if (/[\r\n]/.test(fromName)) s.report.add(s.at('from_name'), 'must not contain a line break');
    else smtp.fromName = fromName;
  }
  const dir = s.string('dir', { required: transport === 'file' });
  if (dir && transport === 'file') smtp.dir = resolveAgainst(root, dir);
  else if (dir !== undefined && transport !== 'file')
    s.report.add(s.at('dir'), 'only used with transport: file');
  return smtp;
}

export function readLogs(s: Section): LogsSettings {
  return { retentionDays: s.int('retention_days', DEFAULT_RETENTION_DAYS, 1, 36_500) };
}
