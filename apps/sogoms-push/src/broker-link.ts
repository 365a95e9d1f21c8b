// One MQTT connection to a broker, shared by the apps that name it: events are published at QoS 0 while
// connected and wait in a bounded queue while not (past MAX_QUEUED the oldest are dropped and counted), so a
// slow or absent broker costs a fixed amount of memory and never an error to the gateway. MQTT.js reconnects.

import type { PushSettings } from '@sogoms/config';
import { brokerLabel, brokerOptions } from '@sogoms/push';
import type { Logger } from '@sogoms/runtime';
import mqtt, { type MqttClient } from 'mqtt';

export const MAX_QUEUED = 10_000;
export const WARN_EVERY_MS = 10_000;

export interface LinkStats {
  broker: string;
  connected: boolean;
  queued: number;
  published: number;
  dropped: number;
  reconnects: number;
}

export interface Message {
  topic: string;
  payload: string;
}

export class BrokerLink {
  readonly client: MqttClient;
  private queue: Message[] = [];
  private published = 0;
  private dropped = 0;
  private reconnects = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private readonly label: string;
  private readonly handlers = new Map<string, (payload: Buffer) => void>();

  constructor(
    push: PushSettings,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly maxQueued = MAX_QUEUED,
  ) {
    this.label = brokerLabel(push);
    this.client = mqtt.connect(push.broker, brokerOptions(push, 'sogoms-push'));
    this.client.on('connect', () => {
      this.logger.info({ broker: this.label }, 'connected to the MQTT broker');
      this.flush();
    });
    this.client.on('reconnect', () => {
      this.reconnects++;
    });
    this.client.on('error', (err) => this.warn('MQTT broker error', err.message));
    this.client.on('offline', () => this.warn('MQTT broker unreachable, events queued', 'offline'));
    this.client.on('message', (topic, payload) => this.handlers.get(topic)?.(payload));
  }

  /** Queues or sends one message; never throws. */
  publish(message: Message): void {
    if (this.client.connected && this.queue.length === 0) {
      this.send(message);
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(message);
    if (this.client.connected) this.flush();
  }

  /** Calls `handler` with each message received on an exact topic (the dynsec responses). */
  onTopic(topic: string, handler: (payload: Buffer) => void): void {
    this.handlers.set(topic, handler);
  }

  stats(): LinkStats {
    return {
      broker: this.label,
      connected: this.client.connected,
      queued: this.queue.length,
      published: this.published,
      dropped: this.dropped,
      reconnects: this.reconnects,
    };
  }

  async close(): Promise<void> {
    await this.client.endAsync(false).catch(() => undefined);
  }

  private flush(): void {
    const pending = this.queue;
    this.queue = [];
    for (const message of pending) this.send(message);
  }

  private send(message: Message): void {
    this.published++;
    this.client.publish(message.topic, message.payload, { qos: 0 }, (err) => {
      if (err) {
        this.published--;
        this.dropped++;
        this.warn('event not published', err.message);
      }
    });
  }

  private warn(message: string, detail: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn({ broker: this.label, err: detail.slice(0, 200), dropped: this.dropped }, message);
  }
}
