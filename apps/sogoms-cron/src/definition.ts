// The sogoms-cron process definition: its extra flags (-rundir, -host-id) and the factory runService calls.
import { hostname } from 'node:os';
import { createServiceClient } from '@sogoms/protocol';
import type { ServiceDefinition } from '@sogoms/runtime';
import { createCronService } from './cron-service.js';

export const DEFAULT_RUNDIR = '/run';

export const cronServiceDefinition: ServiceDefinition = {
  name: 'sogoms-cron',
  config: ['cron'], // with emails/ (mail jobs name templates)
  flags: [
    {
      name: 'rundir',
      description: 'directory of the services’ sockets (sogoms-<svc>.<n>.sock)',
      default: DEFAULT_RUNDIR,
    },
    { name: 'host-id', description: 'name of this host in the claim rows (default: the host name)' },
  ],
  create: ({ config, flags, logger }) => {
    const dir = String(flags.rundir);
    const client = (service: string) => createServiceClient({ discover: { dir, service } });
    return createCronService({
      config,
      services: { db: client('db'), smtp: client('smtp'), logs: client('logs') },
      logger,
      host: typeof flags['host-id'] === 'string' && flags['host-id'] !== '' ? flags['host-id'] : hostname(),
    });
  },
};
