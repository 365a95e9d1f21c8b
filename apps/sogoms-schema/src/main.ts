// sogoms-schema: `sogoms-schema migrate ...` runs a migration and exits; without a command it is the supervised
// service (health, migrate action) like every sogoms-* process.
import { runService } from '@sogoms/runtime';
import { runMigrateCommand } from './cli.js';
import { schemaServiceDefinition } from './definition.js';

if (process.argv[2] === 'migrate') {
  process.exitCode = await runMigrateCommand(process.argv.slice(3), process);
} else await runService(schemaServiceDefinition);
