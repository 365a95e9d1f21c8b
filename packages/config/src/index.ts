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
export { checkConfigTree } from './check.js';
export { startOrder } from './deps.js';
export { parseDuration } from './duration.js';
export { ConfigError, formatProblem, formatProblems } from './errors.js';
export type { Env } from './expand.js';
export { loadPlatformConfig } from './platform.js';
export { DEFAULT_LIST_LIMIT, DEFAULT_LIST_MAX, DEFAULT_OWNER_FIELD } from './queries.js';
export {
  type ConfigReloader,
  type ConfigReloaderOptions,
  createConfigReloader,
  DEFAULT_RELOAD_DEBOUNCE_MS,
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
export type { LoadOptions } from './tree.js';
export type * from './types.js';
