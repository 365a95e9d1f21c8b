// sogoms-smtp: email sending with Go-syntax templates (SPEC §8).
import { runService } from '@sogoms/runtime';
import { smtpServiceDefinition } from './definition.js';

await runService(smtpServiceDefinition);
