// sogoms-push: device credentials in Mosquitto (dynamic-security plugin) for the apps that hand them out.
import { runService } from '@sogoms/runtime';
import { pushServiceDefinition } from './definition.js';

await runService(pushServiceDefinition);
