// The sogoms-logs process definition: its extra -logdir flag and the factory runService calls.
import type { ServiceDefinition } from '@sogoms/runtime';
import { createLogsService, DEFAULT_LOGDIR } from './logs-service.js';

export const logsServiceDefinition: ServiceDefinition = {
  name: 'sogoms-logs',
  config: [], // routes/ only (logs.retention_days)
  flags: [{ name: 'logdir', description: 'directory of the log files', default: DEFAULT_LOGDIR }],
  create: ({ config, flags, logger }) => createLogsService({ config, logdir: String(flags.logdir), logger }),
};
