// The `push:` section of routes/{app}.yaml (the gateway's change events and /realtime, sogoms-push's device
// credentials): which broker the app's change events go to, with which platform account, which resources'
// events carry the written fields, and whether devices may ask for MQTT credentials of their own (Mosquitto's
// dynamic-security plugin).

import type { FileReport } from './errors.js';
import { readSecret } from './paths.js';
import type { Section } from './schema.js';
import type { PushSettings, ResourceQueries } from './types.js';

export const DEFAULT_PUSH_BROKER = 'mqtt://127.0.0.1:1883';
/** How long the MQTT credentials given to a device work (a new login gets new ones). */
export const DEFAULT_PUSH_CREDENTIALS_TTL_MS = 24 * 3_600_000;
export const PUSH_KEYS = [
  'enabled',
  'broker',
  'device_broker',
  'username',
  'password',
  'password_file',
  'rows',
  'credentials',
  'credentials_ttl',
];
const BROKER_URL = /^(mqtt|mqtts|ws|wss|tcp|tls):\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/** Reads `push:`; undefined when the section is absent (the app publishes nothing). */
export function readPush(s: Section, root: string): PushSettings | undefined {
  if (!s.present) return undefined;
  const broker = s.string('broker') ?? DEFAULT_PUSH_BROKER;
  if (!BROKER_URL.test(broker))
    s.report.add(s.at('broker'), 'expected a broker URL like mqtt://127.0.0.1:1883 (mqtt, mqtts, ws or wss)');
  const deviceBroker = s.string('device_broker') ?? broker;
  if (!BROKER_URL.test(deviceBroker))
    s.report.add(s.at('device_broker'), 'expected a broker URL like mqtts://push.example.com:8883');
  const push: PushSettings = {
    enabled: s.bool('enabled', true),
    broker,
    deviceBroker,
    rows: s.stringList('rows').map((r) => r.value),
    credentials: s.oneOf('credentials', ['none', 'dynsec'] as const, 'none'),
    credentialsTtlMs: s.duration('credentials_ttl', DEFAULT_PUSH_CREDENTIALS_TTL_MS, 60_000),
  };
  const username = s.string('username');
  if (username !== undefined) push.username = username;
  const password = readSecret(s, root, 'password');
  if (password !== undefined) push.password = password;
  if (push.credentials === 'dynsec' && username === undefined)
    s.report.add(s.at('username'), 'is required with credentials: dynsec (the dynamic-security admin)');
  return push;
}

/** Every name in push.rows must be a resource of the app. */
export function checkPushRows(
  push: PushSettings | undefined,
  resources: Readonly<Record<string, ResourceQueries>>,
  report: FileReport,
): void {
  push?.rows.forEach((name, i) => {
    if (!Object.hasOwn(resources, name))
      report.add(`push.rows[${i}]`, `unknown resource ${report.quote(`push.rows[${i}]`, name)}`);
  });
}
