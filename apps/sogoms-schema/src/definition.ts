// The supervised sogoms-schema process: reads schema/ only, and serves `migrate` and `health` on its socket.
import type { ServiceDefinition } from '@sogoms/runtime';
import { createSchemaService } from './schema-service.js';

export const schemaServiceDefinition: ServiceDefinition = {
  name: 'sogoms-schema',
  config: ['schema'],
  create: ({ config, logger }) => createSchemaService({ config, logger }),
};
