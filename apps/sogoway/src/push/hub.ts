// The SSE side of push in one gateway process: on the process's link to each broker (shared with the change
// events), a subscription to the user topics of each app that has open streams, fanning every event out to the
// local streams allowed to see it — the owner's, and those whose role's read filter of the resource is empty.
// Works the same behind any number of gateways.
import type { PlatformConfig, PushSettings } from '@sogoms/config';
import type { MinimalLogger } from '@sogoms/protocol';
import { appUsersFilter, type BrokerLink, type BrokerLinks, TOPIC_ROOT } from '@sogoms/push';
import { seesAll } from './changes.js';

export interface RealtimeStream {
  app: string;
  userId: number;
  role: string;
  /** Only these resources (?resources=a,b); all when undefined. */
  resources: ReadonlySet<string> | undefined;
  /** Writes one event's JSON (as received) to the client. */
  send(payload: string): void;
  /** Ends the stream, telling the client why. */
  end(reason: string): void;
}

interface AppStreams {
  byUser: Map<number, Set<RealtimeStream>>;
  byRole: Map<string, Set<RealtimeStream>>;
}

const WARN_EVERY_MS = 10_000;

export class RealtimeHub {
  /** The links this hub listens on (their listeners are attached once, for the life of the link). */
  private readonly listening = new WeakSet<BrokerLink>();
  /** The one link each app's events are read from: a reload that moves the app to another broker or account
   * moves the subscription, so no event is delivered twice. */
  private readonly appLinks = new Map<string, BrokerLink>();
  private closed = false;
  private readonly apps = new Map<string, AppStreams>();
  private count = 0;
  private lastWarnAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: () => PlatformConfig,
    private readonly links: BrokerLinks,
    private readonly logger: MinimalLogger,
  ) {}

  /** Registers a stream (subscribing to its app's events first if needed); returns its removal. */
  add(push: PushSettings, stream: RealtimeStream): () => void {
    if (this.closed) {
      // A stream whose request was still checking its token when the gateway began to stop.
      stream.end('shutting down');
      return () => undefined;
    }
    this.subscribe(push, stream.app);
    let app = this.apps.get(stream.app);
    if (!app) {
      app = { byUser: new Map(), byRole: new Map() };
      this.apps.set(stream.app, app);
    }
    addTo(app.byUser, stream.userId, stream);
    addTo(app.byRole, stream.role, stream);
    this.count++;
    return () => {
      if (removeFrom(app.byUser, stream.userId, stream)) this.count--;
      removeFrom(app.byRole, stream.role, stream);
    };
  }

  /** Streams open for one user of an app. */
  streamsOf(app: string, userId: number): number {
    return this.apps.get(app)?.byUser.get(userId)?.size ?? 0;
  }

  stats(): { streams: number; brokers: { broker: string; connected: boolean }[] } {
    return {
      streams: this.count,
      brokers: this.links.all().map((link) => ({ broker: link.label, connected: link.client.connected })),
    };
  }

  /** Ends every stream (gateway shutdown; the links are closed with the core's). */
  close(): void {
    for (const app of this.apps.values())
      for (const streams of app.byUser.values()) for (const s of [...streams]) s.end('shutting down');
    this.apps.clear();
    this.appLinks.clear();
    this.closed = true;
  }

  /** Delivers one MQTT message `sogoms/{app}/users/{uid}/{resource}` (read on `from`, when given). */
  deliver(topic: string, payload: Buffer, from?: BrokerLink): void {
    const parts = topic.split('/');
    if (parts.length !== 5 || parts[0] !== TOPIC_ROOT || parts[2] !== 'users') return;
    const [, appName, , uidText, resource] = parts as [string, string, string, string, string];
    const app = this.apps.get(appName);
    if (!app || (from !== undefined && this.appLinks.get(appName) !== from)) return;
    const userId = Number(uidText);
    const text = payload.toString('utf8');
    const wants = (s: RealtimeStream) => s.resources === undefined || s.resources.has(resource);
    for (const s of app.byUser.get(userId) ?? []) if (wants(s)) s.send(text);
    const queries = this.config().apps[appName]?.resources[resource];
    for (const [role, streams] of app.byRole) {
      if (!seesAll(queries, role)) continue;
      for (const s of streams) if (s.userId !== userId && wants(s)) s.send(text);
    }
  }

  private subscribe(push: PushSettings, app: string): void {
    const link = this.links.link(push);
    if (!this.listening.has(link)) {
      this.listening.add(link);
      link.client.on('message', (topic, payload) => this.deliver(topic, payload, link));
      link.client.on('error', (err) => this.warn(link.label, err.message));
      link.client.on('offline', () => this.warn(link.label, 'unreachable'));
    }
    const previous = this.appLinks.get(app);
    if (previous === link) return;
    const filter = appUsersFilter(app);
    previous?.client.unsubscribe(filter);
    this.appLinks.set(app, link);
    // With resubscribe (brokerOptions) MQTT.js subscribes again after each reconnection.
    link.client.subscribe(filter, { qos: 0 }, (err) => {
      if (!err) return;
      if (this.appLinks.get(app) === link) this.appLinks.delete(app);
      this.warn(link.label, `cannot subscribe: ${err.message}`);
    });
  }

  private warn(broker: string, err: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn({ broker, err: err.slice(0, 200) }, 'realtime: MQTT broker problem, streams wait');
  }
}

function addTo<K>(map: Map<K, Set<RealtimeStream>>, key: K, stream: RealtimeStream): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(stream);
}

function removeFrom<K>(map: Map<K, Set<RealtimeStream>>, key: K, stream: RealtimeStream): boolean {
  const set = map.get(key);
  if (!set?.delete(stream)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
