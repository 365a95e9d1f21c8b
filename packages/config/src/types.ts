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
  metricsListen?: { host: string; port: number }; // supervisor.metrics_listen "HOST:PORT"; no /metrics without
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
  create?: boolean; // sqlite only: database.create, default false (a missing file is an error, not created)
  pool: number; // default 10
  queryTimeoutMs: number; // database.query_timeout, default 5s
  idleTimeoutMs: number; // database.idle_timeout, default 30s: an unused MariaDB connection is closed after it
}

export interface RateLimitSettings {
  loginFailuresPerEmail: number; // default 10 ...
  loginFailuresWindowMs: number; // ... per 15 min
  loginPerIp: number; // default 100 ...
  loginPerIpWindowMs: number; // ... per 1 min
  registerPerIp: number; // default 20 ...
  registerPerIpWindowMs: number; // ... per 1 h
  forgotPerEmail: number; // default 3 password/forgot mails per address ...
  forgotPerEmailWindowMs: number; // ... per 1 h
  verifyPerEmail: number; // default 3 verification mails (email/resend) per address ...
  verifyPerEmailWindowMs: number; // ... per 1 h
  enabled: boolean; // default true
}

export interface AuthSettings {
  jwtSecret: string; // from jwt_secret_file (or jwt_secret)
  /** The access token's lifetime: access_ttl (default 15m) with sessions, jwt_expiry (default 24h) without. */
  jwtExpiryMs: number;
  sessions: boolean; // default true: revocable sessions and refresh tokens (sogoms_sessions tables)
  refreshTtlMs: number; // refresh_ttl, default 30d (sliding); 0 without sessions
  requireVerifiedEmail: boolean; // require_verified_email, default false
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

/** routes/{app}.yaml `push:` (the gateway's change events, GET /realtime, sogoms-push); absent when the app
 * publishes no events. */
export interface PushSettings {
  enabled: boolean; // default true
  broker: string; // default mqtt://127.0.0.1:1883
  deviceBroker: string; // device_broker: the URL given to devices with their credentials, default broker
  username?: string; // the platform's broker account (publisher, SSE subscriber, dynsec admin)
  password?: string; // from password_file (or password)
  rows: readonly string[]; // resources whose events carry the written fields; default none
  credentials: 'none' | 'dynsec'; // POST /realtime/credentials: off, or clients made in Mosquitto's dynsec
  credentialsTtlMs: number; // credentials_ttl, default 24h
}

/** routes/{app}.yaml `cors:`; absent when the app allows no cross-origin browser calls. */
export interface CorsSettings {
  origins: readonly string[]; // lower-cased "scheme://host[:port]", or ["*"] for any origin
  credentials: boolean; // Access-Control-Allow-Credentials: true; default false, refused with "*"
  maxAgeS: number; // max_age, default 10m: Access-Control-Max-Age of preflight answers, in seconds
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
  /** list only: default 50 / 500; maxOffset = the deepest ?offset= (default 1,000), past it a 400. */
  limit: { default: number; max: number; maxOffset?: number };
  /** list only: the unique column ending every sort (tie-breaker of keyset pages), default `id`. */
  key?: string;
  /** list only: columns usable in ?filter[col][op]= (list.filterable; every visible field of a schema table). */
  filterable?: readonly string[];
  /** list only: columns a ?fields= selection may name (list.fields; the visible fields of a schema table). */
  fields?: readonly string[];
  /** list only: ?expand= name → foreign-key column and the resource whose list reads the referenced rows. */
  expand?: Readonly<Record<string, { field: string; resource: string }>>;
}

export interface CudQuery {
  table: string;
  fields: readonly string[];
  filters: RoleFilters;
  /** create/update: field → resource whose `show` (under the caller's role filter) must find the value. */
  references: Readonly<Record<string, string>>;
  /** Resources generated from schema/{app}.yaml: each field's rule, checked by the gateway (per-field map). */
  rules?: Readonly<Record<string, FieldRule>>;
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
  /** email_verification: the mail sent at registration and by email/resend, with the link rendered from url. */
  emailVerification?: { template: string; url: string };
}

// ---- schema/{app}.yaml -----------------------------------------------------------------------------------

export type SchemaType =
  | 'int'
  | 'bigint'
  | 'string'
  | 'text'
  | 'bool'
  | 'decimal'
  | 'date'
  | 'datetime'
  | 'email'
  | 'enum'
  | 'json';

export type CrudAction = 'list' | 'show' | 'create' | 'update' | 'delete';
export type OnDelete = 'cascade' | 'set null' | 'restrict' | 'no action';

/** What a create/update value of a schema field must be (the gateway's checks, the same on both drivers). */
export interface FieldRule {
  type: SchemaType;
  required: boolean; // must be given on create (no default)
  nullable: boolean;
  min?: number; // int/bigint/decimal: value; string/text/email: characters
  max?: number;
  pattern?: string; // string/text: a JavaScript regular expression the whole value must match
  values?: readonly string[]; // enum
  scale?: number; // decimal: digits after the point
}

export interface SchemaField extends FieldRule {
  name: string;
  primary: boolean;
  auto: boolean; // AUTO_INCREMENT / AUTOINCREMENT
  unique: boolean;
  index: boolean;
  hidden: boolean; // never selected by generated reads
  auth?: 'login' | 'password';
  default?: string | number | boolean; // 'now' for date/datetime means CURRENT_TIMESTAMP
  precision?: number; // decimal: total digits (default 10)
  foreign?: { table: string; column: string; onDelete: OnDelete };
  owner: boolean; // filter: owner
  /** Set by the database, never from a body (primary/auto, the owner, timestamps). */
  readOnly: boolean;
}

export interface SchemaIndex {
  name: string;
  columns: readonly string[];
  unique: boolean;
}

export interface SchemaTable {
  name: string;
  fields: readonly SchemaField[]; // in file order
  indexes: readonly SchemaIndex[]; // field index/unique and table indexes/unique, with their names
  crud: readonly CrudAction[];
  owner?: string; // the column with filter: owner
  open: boolean; // filter: none — every logged-in user reaches every row
  filters: RoleFilters; // role → condition, over the owner default
  order?: string;
  sortable?: readonly string[];
  timestamps: boolean; // created_at/updated_at kept by the database
}

export interface AppSchema {
  file: string;
  /** In dependency order: a table comes after the tables its foreign keys name. */
  tables: readonly SchemaTable[];
}

// ---- emails/{app}/*.yaml ---------------------------------------------------------------------------------

export interface EmailTemplate {
  name: string; // file name without .yaml
  subject: string;
  body: string;
  bodyHtml?: string;
}

// ---- cron/{app}.yaml -------------------------------------------------------------------------------------

/** A statement run through sogoms-db; placeholders :scheduled_at, :today, :job. */
export interface CronSqlAction {
  kind: 'sql';
  query: string;
}

/** A template sent to each row of a query; `lists` adds, per row, the rows of a second query under a field. */
export interface CronMailAction {
  kind: 'mail';
  template: string;
  query: string;
  to: string; // column holding the recipient address, default "email"
  lists: Readonly<Record<string, string>>; // template field → query (placeholders: the row's columns too)
}

/** A webhook call, signed with HMAC-SHA256 when a secret is set. */
export interface CronHttpAction {
  kind: 'http';
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; // default POST
  headers: Readonly<Record<string, string>>;
  secret?: string; // from secret_file (or secret)
}

export interface CronJob {
  name: string;
  schedule: string; // 5 fields, 6 with seconds first, or @hourly/@daily/...
  timezone: string; // IANA name, default UTC
  timeoutMs: number; // timeout, default 5m
  catchUp: boolean; // catch_up: run a missed run once at start, default false
  action: CronSqlAction | CronMailAction | CronHttpAction;
}

// ---- one application, and the whole tree ----------------------------------------------------------------

export interface AppConfig {
  file: string; // absolute path of routes/{app}.yaml
  app: string;
  version: string;
  basePath: string; // default /api
  hosts: readonly string[]; // lower-cased
  trustProxy: boolean; // default false
  /** Peers whose X-Forwarded-* headers are believed (addresses or CIDRs); loopback when trust_proxy alone. */
  trustedProxies: readonly string[];
  database: DatabaseSettings;
  auth: AuthSettings;
  smtp?: SmtpSettings;
  logs: LogsSettings;
  push?: PushSettings;
  cors?: CorsSettings;
  /** routes `errors:`; `detail: true` (development) puts the database's message in DB_ERROR bodies. */
  errors?: { detail: boolean };
  authQueries?: AuthQueries; // queries/{app}/auth.yaml, else generated from the schema's auth fields
  /** schema/{app}.yaml (sogoms-schema migrate; its resources are generated into `resources`). */
  schema?: AppSchema;
  resources: Readonly<Record<string, ResourceQueries>>; // queries/{app}/{resource}.yaml
  emails: Readonly<Record<string, EmailTemplate>>;
  /** cron/{app}.yaml (sogoms-cron); absent or empty when the app has no jobs. */
  cron?: Readonly<Record<string, CronJob>>;
}

export interface PlatformConfig {
  root: string; // absolute config dir
  apps: Readonly<Record<string, AppConfig>>;
}
