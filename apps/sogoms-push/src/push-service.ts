// The sogoms-push service: one broker link per distinct `push:` broker and account, the action `publish`
// (events from the gateways, answered at once: publishing is asynchronous and bounded), the action
// `credentials` (device credentials in Mosquitto's dynamic-security plugin) and the sweep of expired ones.
import type { AppConfig, PlatformConfig, PushSettings } from '@sogoms/config';
import { type ActionHandler, ErrorCode, SogomsError } from '@sogoms/protocol';
import {
  brokerKey,
  eventPayload,
  isTopicLevel,
  type PushEvent,
  readEvent,
  roleTopic,
  userTopic,
} from '@sogoms/push';
import type { Logger, ServiceInstance } from '@sogoms/runtime';
import { BrokerLink } from './broker-link.js';
import { createDeviceCredentials, SWEEP_EVERY_MS, sweepExpired } from './credentials.js';
import { Dynsec, DynsecError } from './dynsec.js';

/** Events in one `publish` call, past which the call is refused (the gateway sends at most 500). */
export const MAX_EVENTS_PER_CALL = 2_000;

export interface PushServiceOptions {
  config: PlatformConfig;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => number;
  /** Events waiting per broker while it is unreachable (default MAX_QUEUED). */
  maxQueued?: number;
  sweepEveryMs?: number;
}

interface Linked {
  link: BrokerLink;
  dynsec?: Dynsec;
}

const pushOf = (app: AppConfig | undefined): PushSettings | undefined =>
  app?.push?.enabled ? app.push : undefined;

export function createPushService(opts: PushServiceOptions): ServiceInstance {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  let config = opts.config;
  let links = new Map<string, Linked>();
  let ignored = 0;

  const apply = async (next: PlatformConfig) => {
    const wanted = new Map<string, PushSettings>();
    for (const app of Object.values(next.apps)) {
      const push = pushOf(app);
      if (push) wanted.set(brokerKey(push), push);
    }
    const kept = new Map<string, Linked>();
    for (const [key, push] of wanted) {
      let linked = links.get(key);
      if (!linked) linked = { link: new BrokerLink(push, logger, opts.maxQueued) };
      if (!linked.dynsec && [...Object.values(next.apps)].some((a) => usesDynsec(a, key)))
        linked.dynsec = new Dynsec(linked.link);
      kept.set(key, linked);
    }
    const dropped = [...links.entries()].filter(([key]) => !kept.has(key));
    config = next;
    links = kept;
    await Promise.all(dropped.map(([, l]) => closeLinked(l)));
  };
  void apply(config);

  const linkedFor = (app: string): Linked | undefined => {
    const push = pushOf(config.apps[app]);
    return push ? links.get(brokerKey(push)) : undefined;
  };

  const publish: ActionHandler = (params) => {
    const events = params.events;
    if (!Array.isArray(events)) throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'events must be a list');
    if (events.length > MAX_EVENTS_PER_CALL)
      throw new SogomsError(ErrorCode.VALIDATION_ERROR, `at most ${MAX_EVENTS_PER_CALL} events per call`);
    let accepted = 0;
    for (const raw of events) {
      const event = readEvent(raw);
      const linked =
        typeof event === 'string' || !isTopicLevel(event.resource) ? undefined : linkedFor(event.app);
      if (typeof event === 'string' || !linked) {
        ignored++;
        continue;
      }
      send(linked.link, event);
      accepted++;
    }
    return { accepted, ignored: events.length - accepted };
  };

  const credentials: ActionHandler = async (params) => {
    const app = typeof params.app_id === 'string' ? params.app_id : '';
    const userId = params.user_id;
    const role = typeof params.role === 'string' ? params.role : '';
    if (!Number.isSafeInteger(userId) || (userId as number) < 1)
      throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'user_id must be a positive integer', {
        field: 'user_id',
      });
    const push = pushOf(config.apps[app]);
    if (!push) throw new SogomsError(ErrorCode.UNKNOWN_APP, `no push for app ${app.slice(0, 64)}`);
    const dynsec = links.get(brokerKey(push))?.dynsec;
    if (push.credentials !== 'dynsec' || !dynsec)
      throw new SogomsError(ErrorCode.NOT_FOUND, 'device credentials are not enabled for this app');
    try {
      return await createDeviceCredentials(
        dynsec,
        push.deviceBroker,
        { app, userId: userId as number, role },
        now() + push.credentialsTtlMs,
      );
    } catch (err) {
      if (err instanceof DynsecError) {
        logger.warn({ app, err: err.message.slice(0, 200) }, 'device credentials not created');
        throw new SogomsError(ErrorCode.SERVICE_UNAVAILABLE, 'the MQTT broker cannot create credentials now');
      }
      throw err;
    }
  };

  const sweep = async (): Promise<number> => {
    let total = 0;
    for (const { dynsec } of links.values()) {
      if (!dynsec) continue;
      try {
        const deleted = await sweepExpired(dynsec, now());
        total += deleted;
        if (deleted > 0) logger.info({ deleted }, 'expired device credentials deleted');
      } catch (err) {
        logger.warn({ err: (err as Error).message.slice(0, 200) }, 'device credentials sweep failed');
      }
    }
    return total;
  };
  const sweeper = setInterval(() => void sweep(), opts.sweepEveryMs ?? SWEEP_EVERY_MS);
  sweeper.unref();

  return {
    actions: { publish, credentials, sweep: async () => ({ deleted: await sweep() }) },
    health: () => ({ brokers: [...links.values()].map((l) => l.link.stats()), ignored }),
    reload: (next) => apply(next),
    async close() {
      clearInterval(sweeper);
      await Promise.all([...links.values()].map(closeLinked));
    },
  };
}

function usesDynsec(app: AppConfig, key: string): boolean {
  const push = pushOf(app);
  return !!push && push.credentials === 'dynsec' && brokerKey(push) === key;
}

async function closeLinked(linked: Linked): Promise<void> {
  linked.dynsec?.close();
  await linked.link.close();
}

/** The owner's topic, and each role topic the gateway named (roles seeing every row of the resource). */
function send(link: BrokerLink, event: PushEvent): void {
  const payload = eventPayload(event);
  link.publish({ topic: userTopic(event.app, event.user_id, event.resource), payload });
  for (const role of event.roles ?? [])
    if (isTopicLevel(role)) link.publish({ topic: roleTopic(event.app, role, event.resource), payload });
}
