// The sogoms-push process definition: no extra flags, only routes/ read (the `push:` sections); the factory.
import type { ServiceDefinition } from '@sogoms/runtime';
import { createPushService } from './push-service.js';

export const pushServiceDefinition: ServiceDefinition = {
  name: 'sogoms-push',
  config: [],
  create: ({ config, logger }) => createPushService({ config, logger }),
};
