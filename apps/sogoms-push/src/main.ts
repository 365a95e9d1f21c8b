// sogoms-push: every app's change events published to its MQTT broker, and device credentials in Mosquitto.
import { runService } from '@sogoms/runtime';
import { pushServiceDefinition } from './definition.js';

await runService(pushServiceDefinition);
