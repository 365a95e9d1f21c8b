// The sogoms-push service: device credentials in Mosquitto's dynamic-security plugin (the action `credentials`)
// and the sweep of expired ones, over one broker link per distinct `push:` broker and account of the apps with
// `credentials: dynsec`. Change events do not pass through here: each gateway publishes them on its own broker
// link (one MQTT message per event, no extra hop).
import type { AppConfig, PlatformConfig, PushSettings } from '@sogoms/config';
import { type ActionHandler, ErrorCode, SogomsError } from '@sogoms/protocol';
import { BrokerLinks, brokerKey } from '@sogoms/push';
import type { Logger, ServiceInstance } from '@sogoms/runtime';
import { createDeviceCredentials, MAX_SEEN_RESOURCES, SWEEP_EVERY_MS, sweepExpired } from './credentials.js';
import { Dynsec, DynsecError } from './dynsec.js';

export interface PushServiceOptions {
  config: PlatformConfig;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => number;
  sweepEveryMs?: number;
}

/** The push section of an app that hands out device credentials. */
const dynsecPush = (app: AppConfig | undefined): PushSettings | undefined =>
  app?.push?.enabled && app.push.credentials === 'dynsec' ? app.push : undefined;

function validationError(message: string, field: string): SogomsError {
  return new SogomsError(ErrorCode.VALIDATION_ERROR, message, { field });
}

/** `resources`: the names of the resources whose every row the caller's role sees. */
function readResources(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > MAX_SEEN_RESOURCES || raw.some((r) => typeof r !== 'string'))
    throw validationError(`resources must be a list of at most ${MAX_SEEN_RESOURCES} names`, 'resources');
  return raw as string[];
}

export function createPushService(opts: PushServiceOptions): ServiceInstance {
  const { logger } = opts;
  const now = opts.now ?? Date.now;
  const links = new BrokerLinks({ processName: 'sogoms-push', logger });
  const dynsecs = new Map<string, Dynsec>();
  let config = opts.config;

  const apply = async (next: PlatformConfig) => {
    config = next;
    const wanted = new Set<string>();
    for (const app of Object.values(next.apps)) {
      const push = dynsecPush(app);
      if (!push) continue;
      const key = brokerKey(push);
      wanted.add(key);
      if (!dynsecs.has(key)) dynsecs.set(key, new Dynsec(links.link(push)));
    }
    for (const [key, dynsec] of dynsecs)
      if (!wanted.has(key)) {
        dynsec.close();
        dynsecs.delete(key);
      }
    await links.keepOnly(wanted);
  };
  void apply(config);

  const credentials: ActionHandler = async (params) => {
    const app = typeof params.app_id === 'string' ? params.app_id : '';
    const userId = params.user_id;
    if (!Number.isSafeInteger(userId) || (userId as number) < 1)
      throw validationError('user_id must be a positive integer', 'user_id');
    const resources = readResources(params.resources);
    const known = config.apps[app];
    if (!known?.push?.enabled)
      throw new SogomsError(ErrorCode.UNKNOWN_APP, `no push for app ${app.slice(0, 64)}`);
    const push = dynsecPush(known);
    const dynsec = push && dynsecs.get(brokerKey(push));
    if (!push || !dynsec)
      throw new SogomsError(ErrorCode.NOT_FOUND, 'device credentials are not enabled for this app');
    try {
      return await createDeviceCredentials(
        dynsec,
        push.deviceBroker,
        { app, userId: userId as number, resources },
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
    for (const dynsec of dynsecs.values()) {
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
    actions: { credentials, sweep: async () => ({ deleted: await sweep() }) },
    health: () => ({ brokers: links.all().map((l) => l.stats()) }),
    reload: (next) => apply(next),
    async close() {
      clearInterval(sweeper);
      for (const dynsec of dynsecs.values()) dynsec.close();
      await links.close();
    },
  };
}
