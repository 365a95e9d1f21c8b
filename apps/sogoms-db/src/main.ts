// sogoms-db: the database service (SPEC §6). Wiring only; the actions live in service.ts.
import { runService } from '@sogoms/runtime';
import { dbServiceDefinition } from './definition.js';

await runService(dbServiceDefinition);
