// The sogoms-smtp process definition: the factory runService calls.
import type { ServiceDefinition } from '@sogoms/runtime';
import { createSmtpService } from './smtp-service.js';

export const smtpServiceDefinition: ServiceDefinition = {
  name: 'sogoms-smtp',
  config: ['emails'],
  create: ({ config, logger }) => createSmtpService({ config, logger }),
};
