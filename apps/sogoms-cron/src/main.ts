// sogoms-cron: the scheduled jobs of every app (cron/{app}.yaml), run once across hosts.
import { runService } from '@sogoms/runtime';
import { cronServiceDefinition } from './definition.js';

await runService(cronServiceDefinition);
