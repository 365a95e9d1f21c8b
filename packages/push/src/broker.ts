// How a sogoms process connects to an app's broker: the platform account of `push:`, a client id of its own,
// automatic reconnection, and no unbounded offline queue in MQTT.js (callers bound their own).
import { randomBytes } from 'node:crypto';
import { env } from 'node:process';
import type { PushSettings } from '@sogoms/config';
import type { IClientOptions } from 'mqtt';

export const RECONNECT_PERIOD_MS = 1_000;
export const CONNECT_TIMEOUT_MS = 5_000;

/** One connection per distinct broker and account: apps sharing both share it. */
export function brokerKey(push: PushSettings): string {
  return `${push.broker}\n${push.username ?? ''}\n${push.password ?? ''}`;
}

const noLog = (): void => undefined;

export function brokerOptions(push: PushSettings, processName: string): IClientOptions {
  const options: IClientOptions = {
    clientId: `${processName}-${randomBytes(6).toString('hex')}`,
    reconnectPeriod: RECONNECT_PERIOD_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    clean: true,
    // QoS 0 messages are not kept while disconnected: the caller's bounded queue decides what waits.
    queueQoSZero: false,
    resubscribe: true,
    // By default every packet sent restarts the keepalive timer (a clear and a set per event); a PINGREQ every
    // keepalive period on a busy link costs less.
    reschedulePings: false,
  };
  // MQTT.js formats a debug line at every step of every publish; even switched off, that was a tenth of
  // sogoms-push's CPU under load. DEBUG=mqttjs* still turns them on.
  if (!/mqttjs/.test(env.DEBUG ?? '')) options.log = noLog;
  if (push.username !== undefined) options.username = push.username;
  if (push.password !== undefined) options.password = push.password;
  return options;
}

/** The broker URL without credentials, for logs. */
export function brokerLabel(push: PushSettings): string {
  return push.broker.replace(/\/\/[^@/]*@/, '//');
}
