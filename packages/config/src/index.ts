export { type AppCache, appChanges, createAppCache } from './app-cache.js';
export {
  DEFAULT_BCRYPT_COST,
  DEFAULT_DB_HOST,
  DEFAULT_DB_POOL,
  DEFAULT_DB_PORT,
  DEFAULT_JWT_EXPIRY_MS,
  DEFAULT_PASSWORD_MIN_LENGTH,
  DEFAULT_QUERY_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_RETENTION_DAYS,
  DEFAULT_SMTP_PORT,
  DEFAULT_SMTPS_PORT,
} from './app-settings.js';
export { checkConfigTree, checkConfigWarnings } from './check.js';
export {
  type ConfigDirChoice,
  DEV_CONFIG_DIR,
  findConfigDir,
  INSTALLED_CONFIG_DIR,
} from './config-dir.js';
export { DEFAULT_CORS_MAX_AGE_MS } from './cors.js';
export {
  CRON_PATTERN_MODE,
  CRON_PLACEHOLDERS,
  DEFAULT_CRON_TIMEOUT_MS,
  DEFAULT_CRON_TIMEZONE,
  DEFAULT_MAIL_TO_COLUMN,
  MAX_CRON_TIMEOUT_MS,
  scheduleError,
} from './cron.js';
export { startOrder } from './deps.js';
export { parseDuration } from './duration.js';
export { ConfigError, formatProblem, formatProblems } from './errors.js';
export type { Env } from './expand.js';
export {
  type ConfigOrigin,
  type ConfigSnapshot,
  LastGoodConfig,
  type LastGoodOptions,
  MAX_HEALTH_PROBLEMS,
  readSnapshot,
} from './last-good.js';
export { ignoredConfigFiles, loadPlatformConfig } from './platform.js';
export { DEFAULT_PUSH_BROKER, DEFAULT_PUSH_CREDENTIALS_TTL_MS } from './push.js';
export {
  DEFAULT_LIST_KEY,
  DEFAULT_LIST_LIMIT,
  DEFAULT_LIST_MAX,
  DEFAULT_MAX_OFFSET,
  DEFAULT_OWNER_FIELD,
} from './queries.js';
export {
  type ConfigReloader,
  type ConfigReloaderOptions,
  createConfigReloader,
  DEFAULT_RELOAD_DEBOUNCE_MS,
  DEFAULT_RELOAD_POLL_MS,
} from './reloader.js';
export { DEFAULT_BASE_PATH } from './routes.js';
export {
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_RESTART_DELAY_MS,
  DEFAULT_RESTART_WINDOW_MS,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_STOP_TIMEOUT_MS,
  DEFAULT_SUPERVISOR_LOG_FILE,
  loadSogoctlConfig,
} from './sogoctl.js';
export {
  ALL_CONFIG_PARTS,
  type ConfigPart,
  type LoadOptions,
  partsOf,
  watchedFolders,
} from './tree.js';
export type * from './types.js';
