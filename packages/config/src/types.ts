// The validated, frozen shapes of every configuration file (SPEC §3). Durations are milliseconds, sizes bytes;
// every relative path is already resolved against the config root; every *_file secret is already read.

/** One problem found while loading: which file, which key path (e.g. "services.sogoway.depends_on[1]"), why. */
export interface ConfigProblem {
  file: string;
  path: string;
  message: string;
}

// ---- sogoctl.yaml ---------------------------------------------------------------------------------------

export interface SupervisorSettings {
  healthIntervalMs: number; // supervisor.health_interval, default 10s
  restartDelayMs: number; // supervisor.restart_delay, default 2s
  maxRestarts: number; // supervisor.max_restarts, default 5
  restartWindowMs: number; // supervisor.restart_window, default 60s
  stopTimeoutMs: number; // supervisor.stop_timeout, default 10s
  startTimeoutMs: number; // supervisor.start_timeout, default 30s
  logFile: string; // supervisor.log_file, default /var/log/sogoms/sogoctl.log
  controlSocket: string; // supervisor.control_socket, default /run/sogoctl.sock
}

export interface ServiceSpec {
  name: string;
  binary: string;
  args: readonly string[]; // may contain {n}
  env: Readonly<Record<string, string>>;
  instances: number; // default 1
  healthSocket?: string; // may contain {n}
  healthUrl?: string;
  dependsOn: readonly string[];
}

export interface SogoctlConfig {
  file: string;
  supervisor: SupervisorSettings;
  /** In the order of the file; start order is computed by the supervisor. */
  services: readonly ServiceSpec[];
}

// ---- routes/{app}.yaml -----------------------------------------------------------------------------------

export interface DatabaseSettings {
  driver: 'mysql' | 'sqlite';
  host: string; // default 127.0.0.1
  port: number; // default 3306
  socket?: string;
  user: string;
  password: string; // from password_file (or password); '' when none
  name: string;
  file?: string; // sqlite only, required for it
  pool: number; // default 10
  queryTimeoutMs: number; // database.query_timeout, default 5s
}

export interface RateLimitSettings {
  loginFailuresPerEmail: number; // default 10 ...
  loginFailuresWindowMs: number; // ... per 15 min
  loginPerIp: number; // default 100 ...
  loginPerIpWindowMs: number; // ... per 1 min
  registerPerIp: number; // default 20 ...
  registerPerIpWindowMs: number; // ... per 1 h
  enabled: boolean; // default true
}

export interface AuthSettings {
  jwtSecret: string; // from jwt_secret_file (or jwt_secret)
  jwtExpiryMs: number; // jwt_expiry, default 24h
  bcryptCost: number; // default 10
  passwordMinLength: number; // default 8
  rateLimit: RateLimitSettings;
}

export interface SmtpSettings {
  transport: 'smtp' | 'file';
  host: string;
  port: number; // default 587 (465 when tls: true)
  user?: string;
  password?: string; // from password_file
  from: string;
  fromName?: string;
  tls: boolean; // false = STARTTLS, true = implicit TLS
  dir?: string; // transport: file
}

export interface LogsSettings {
  retentionDays: number; // default 30
}

// ---- queries/{app}/*.yaml --------------------------------------------------------------------------------

/** Role name → SQL condition; '' means no filter. `default` applies to roles without their own entry. */
export type RoleFilters = Readonly<Record<string, string>>;

export interface ReadQuery {
  query: string;
  filters: RoleFilters;
  order?: string; // default ORDER BY when no ?sort
  params: Readonly<Record<string, string>>; // list only: query-string name → optional condition
  sortable: readonly string[]; // list only: column names allowed in ?sort=
  limit: { default: number; max: number }; // list only: default 50 / 500
}

export interface CudQuery {
  table: string;
  fields: readonly string[];
  filters: RoleFilters;
  /** create/update: field → resource whose `show` (under the caller's role filter) must find the value. */
  references: Readonly<Record<string, string>>;
}

export interface ResourceQueries {
  name: string; // file name without .yaml
  ownerField: string; // owner_field, default user_id
  list?: ReadQuery;
  show?: ReadQuery;
  create?: CudQuery;
  update?: CudQuery;
  delete?: CudQuery;
}

export interface AuthQueries {
  login: { query: string; include: readonly string[] };
  register: { table: string; fields: readonly string[]; welcomeEmail?: string };
  me: { query: string };
  passwordReset?: { template: string; url: string; update: { table: string } };
}

// ---- emails/{app}/*.yaml ---------------------------------------------------------------------------------

export interface EmailTemplate {
  name: string; // file name without .yaml
  subject: string;
  body: string;
  bodyHtml?: string;
}

// ---- one application, and the whole tree ----------------------------------------------------------------

export interface AppConfig {
  file: string; // absolute path of routes/{app}.yaml
  app: string;
  version: string;
  basePath: string; // default /api
  hosts: readonly string[]; // lower-cased
  trustProxy: boolean; // default false
  database: DatabaseSettings;
  auth: AuthSettings;
  smtp?: SmtpSettings;
  logs: LogsSettings;
  authQueries?: AuthQueries; // queries/{app}/auth.yaml
  resources: Readonly<Record<string, ResourceQueries>>; // queries/{app}/{resource}.yaml
  emails: Readonly<Record<string, EmailTemplate>>;
}

export interface PlatformConfig {
  root: string; // absolute config dir
  apps: Readonly<Record<string, AppConfig>>;
}
