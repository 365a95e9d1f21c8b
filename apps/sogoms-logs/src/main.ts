// sogoms-logs: centralised event and error logs (SPEC §7).
import { runService } from '@sogoms/runtime';
import { logsServiceDefinition } from './definition.js';

await runService(logsServiceDefinition);
