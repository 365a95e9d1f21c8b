// One MQTT connection to a broker, shared by the apps that name it (the gateway publishes change events and
// subscribes for its SSE streams on it; sogoms-push sends dynamic-security commands on it). Messages go at QoS 0
// while connected and wait in a bounded queue while not (past maxQueued the oldest are dropped and counted);
// a broker that stops reading holds at most maxBufferedBytes of written messages, past which new ones are
// dropped and counted. So a slow or absent broker costs a fixed amount of memory and never an error to the
// caller. MQTT.js reconnects.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PushSettings } from '@sogoms/config';
import mqtt, { type MqttClient } from 'mqtt';
import { brokerKey, brokerLabel, brokerOptions } from './broker.js';

export const MAX_QUEUED = 10_000;
/** Bytes written to the broker's socket and not yet taken by it, past which messages are dropped. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
export const WARN_EVERY_MS = 10_000;
/** Least time between two writes of messages to the broker's socket (see cork()). */
export const WRITE_WINDOW_MS = 2;
/** How long a closing link waits for the broker to take what was written before it cuts the connection. */
export const CLOSE_GRACE_MS = 1_000;

export interface LinkLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface LinkStats {
  broker: string;
  connected: boolean;
  queued: number;
  published: number;
  dropped: number;
  reconnects: number;
}

export interface LinkOptions {
  /** Names the process in the client id (`sogoway-…`, `sogoms-push-…`). */
  processName: string;
  logger: LinkLogger;
  maxQueued?: number;
  maxBufferedBytes?: number;
}

const PUBLISH_OPTIONS = { qos: 0 } as const;

interface Message {
  topic: string;
  payload: string;
}

export class BrokerLink {
  readonly client: MqttClient;
  readonly label: string;
  private queue: Message[] = [];
  private published = 0;
  private dropped = 0;
  private reconnects = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private corked = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private readonly handlers = new Map<string, (payload: Buffer) => void>();
  private readonly maxQueued: number;
  private readonly maxBufferedBytes: number;
  private readonly logger: LinkLogger;

  constructor(push: PushSettings, options: LinkOptions) {
    this.label = brokerLabel(push);
    this.logger = options.logger;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED;
    this.maxBufferedBytes = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.client = mqtt.connect(push.broker, brokerOptions(push, options.processName));
    this.client.on('connect', () => {
      this.logger.info({ broker: this.label }, 'connected to the MQTT broker');
      this.flush();
    });
    this.client.on('reconnect', () => {
      this.reconnects++;
    });
    this.client.on('error', (err) => this.warn('MQTT broker error', err.message));
    this.client.on('offline', () => this.warn('MQTT broker unreachable, messages queued', 'offline'));
    this.client.on('message', (topic, payload) => this.handlers.get(topic)?.(payload));
  }

  /** Sends or queues one message; never throws, never waits. */
  publish(topic: string, payload: string): void {
    if (this.client.connected && this.queue.length === 0) {
      this.send(topic, payload);
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.drop('messages dropped: the MQTT broker is unreachable and the queue is full');
    }
    this.queue.push({ topic, payload });
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
    const ended = this.client.endAsync(false).then(
      () => true,
      () => true,
    );
    const done = await Promise.race([ended, sleep(CLOSE_GRACE_MS, false, { ref: false })]);
    if (done) return;
    // A broker that stopped reading, or an unanswered SUBSCRIBE or QoS 1 command, would hold the shutdown
    // forever (MQTT.js waits for every acknowledgement, and a cut socket never brings them): cut the socket and
    // stop waiting.
    this.client.stream?.destroy();
    await Promise.race([ended, sleep(100, false, { ref: false })]);
  }

  private flush(): void {
    const pending = this.queue;
    this.queue = [];
    for (const message of pending) this.send(message.topic, message.payload);
  }

  private send(topic: string, payload: string): void {
    // MQTT.js writes QoS 0 messages to the socket whatever its backlog: the bound is ours.
    if ((this.client.stream?.writableLength ?? 0) > this.maxBufferedBytes) {
      this.drop('messages dropped: the MQTT broker does not keep up');
      return;
    }
    if (this.client.disconnecting) {
      this.drop('message not published: the link is closing');
      return;
    }
    this.published++;
    this.cork();
    // No callback: with one, MQTT.js adds a 'drain' listener per message whenever the socket is backed up.
    this.client.publish(topic, payload, PUBLISH_OPTIONS);
  }

  /**
   * Holds the socket's writes so that messages leave together: under load at most one write per
   * WRITE_WINDOW_MS (the broker wakes up and reads once per batch instead of once per event — measured at half
   * its CPU per event); a message after a quiet window leaves on the next turn of the event loop.
   */
  private cork(): void {
    const stream = this.client.stream;
    if (this.corked || !stream) return;
    this.corked = true;
    stream.cork();
    const release = () => {
      this.corked = false;
      this.lastWriteAt = performance.now();
      stream.uncork();
    };
    const wait = this.lastWriteAt + WRITE_WINDOW_MS - performance.now();
    if (wait > 0) setTimeout(release, wait);
    else setImmediate(release);
  }

  private drop(message: string): void {
    this.dropped++;
    this.warn(message, '');
  }

  private warn(message: string, detail: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    const err = detail === '' ? {} : { err: detail.slice(0, 200) };
    this.logger.warn({ broker: this.label, ...err, dropped: this.dropped }, message);
  }
}

/** A process's broker links, one per distinct broker and account (brokerKey), opened on first use. */
export class BrokerLinks {
  private readonly links = new Map<string, BrokerLink>();
  private isClosed = false;

  constructor(private readonly options: LinkOptions) {}

  /** After close(): callers must not ask for links any more (a late event is dropped, a late stream ended). */
  get closed(): boolean {
    return this.isClosed;
  }

  link(push: PushSettings): BrokerLink {
    const key = brokerKey(push);
    let link = this.links.get(key);
    if (!link) {
      link = new BrokerLink(push, this.options);
      this.links.set(key, link);
    }
    return link;
  }

  all(): BrokerLink[] {
    return [...this.links.values()];
  }

  /** Closes the links whose key no app names any more (after a reload). */
  async keepOnly(keys: ReadonlySet<string>): Promise<void> {
    const gone = [...this.links].filter(([key]) => !keys.has(key));
    for (const [key] of gone) this.links.delete(key);
    await Promise.all(gone.map(([, link]) => link.close()));
  }

  async close(): Promise<void> {
    this.isClosed = true;
    await this.keepOnly(new Set());
  }
}
