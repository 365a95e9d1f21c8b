// sogoms-db: the database service (SPEC §6). Wiring only; the actions live in service.ts.
import { runService } from '@sogoms/runtime';
import { createDbService } from './service.js';

await runService({ name: 'sogoms-db', create: (ctx) => createDbService(ctx) });
