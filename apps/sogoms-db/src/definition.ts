// The sogoms-db process definition: its extra -max-connections flag and the factory runService calls.
import { type ServiceDefinition, UsageError } from '@sogoms/runtime';
import { DEFAULT_MAX_CONNECTIONS } from './drivers/connection-budget.js';
import { createDbService } from './service.js';

/** Highest -max-connections accepted (MariaDB's own max_connections tops out at 100,000). */
const MAX_CONNECTIONS_LIMIT = 100_000;

export const dbServiceDefinition: ServiceDefinition = {
  name: 'sogoms-db',
  config: [], // routes/ only: the database settings (the SQL comes with each call)
  flags: [
    {
      name: 'max-connections',
      description: 'MariaDB connections this process keeps open at most, over all apps',
      default: String(DEFAULT_MAX_CONNECTIONS),
    },
  ],
  create: ({ config, flags, logger }) =>
    createDbService({ config, logger, maxConnections: maxConnectionsFlag(flags['max-connections']) }),
};

function maxConnectionsFlag(value: unknown): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < 1 || n > MAX_CONNECTIONS_LIMIT)
    throw new UsageError(
      `-max-connections must be an integer from 1 to ${MAX_CONNECTIONS_LIMIT}: ${String(value).slice(0, 20)}`,
    );
  return n;
}
