// Change events published by the gateway itself, one QoS 0 MQTT message per event on the row owner's topic,
// over the process's broker link of the app's `push:` broker (shared with the SSE hub). Publishing never makes a
// request wait or fail: the link queues a bounded number of messages while the broker is away and drops (and
// counts) past its bounds. GET /health shows the counters.
//
// Why not through sogoms-push: a hop per event cost that process ~30 µs of CPU per create and the broker a
// second packet for the role topics; the gateway already holds a link to the broker for its SSE streams.
import type { PushSettings } from '@sogoms/config';
import { type BrokerLinks, type PushEvent, userTopic } from '@sogoms/push';

export interface PushStats {
  /** Waiting while a broker is unreachable. */
  queued: number;
  /** Written to a broker. */
  sent: number;
  /** Lost to a full queue or a broker that does not keep up. */
  dropped: number;
}

export class ChangePublisher {
  constructor(private readonly links: BrokerLinks) {}

  /** Publishes one event; never waits, never throws. An event after the gateway's shutdown is dropped. */
  send(push: PushSettings, event: PushEvent): void {
    if (this.links.closed) return;
    this.links.link(push).publish(userTopic(event.app, event.user_id, event.resource), JSON.stringify(event));
  }

  stats(): PushStats {
    const total: PushStats = { queued: 0, sent: 0, dropped: 0 };
    for (const link of this.links.all()) {
      const s = link.stats();
      total.queued += s.queued;
      total.sent += s.published;
      total.dropped += s.dropped;
    }
    return total;
  }
}
