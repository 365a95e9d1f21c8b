export type { FlagSpec, ParsedFlags } from './flags.js';
export { parseFlags, UsageError, usage } from './flags.js';
export type { Logger, LoggerOptions } from './logger.js';
export { createLogger } from './logger.js';
export type { RunningService, ServiceContext, ServiceDefinition, ServiceInstance } from './service.js';
export {
  DEFAULT_CONFIG_DIR,
  EXIT_CONFIG,
  lastGoodFile,
  runService,
  SHUTDOWN_DRAIN_MS,
  startService,
} from './service.js';
export type { SignalHandlers } from './signals.js';
export { installSignalHandlers } from './signals.js';
