// sogoms-push in process, against a real private Mosquitto (dynamic-security plugin) or no broker at all: a
// publish never waits for the broker, the queue kept meanwhile is bounded and its drops counted, bad input is
// refused clearly, and expired device credentials are deleted from Mosquitto by the sweep.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BROKER_ADMIN,
  mosquittoAvailable,
  startBroker,
  type TestBroker,
} from '../../../tests/helpers/mosquitto.js';
import { freePort } from '../../../tests/helpers/platform.js';
import { createPushService } from '../src/push-service.js';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const dirs: string[] = [];

function configWith(push: string): PlatformConfig {
  const dir = mkdtempSync(join(tmpdir(), 'sgpush-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'routes'));
  writeFileSync(
    join(dir, 'routes', 'demo.yaml'),
    `app: demo
hosts: [demo.test]
database: { driver: sqlite, file: demo.db }
auth: { jwt_secret: s3cret }
push:
${push}
`,
  );
  return loadPlatformConfig(dir, { parts: [] });
}

const event = (id: number) => ({
  app: 'demo',
  resource: 'tasks',
  action: 'create',
  id,
  user_id: 7,
  at: new Date(0).toISOString(),
});

let service: ServiceInstance | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('sogoms-push without a broker', () => {
  it('publish answers at once, keeps a bounded queue and counts what it drops', async () => {
    const port = await freePort(); // nothing listens there
    service = createPushService({
      config: configWith(`  broker: mqtt://127.0.0.1:${port}`),
      logger,
      maxQueued: 3,
    });
    const answer = await service.actions.publish!({ events: [1, 2, 3, 4, 5].map(event) }, {} as never);
    expect(answer).toEqual({ accepted: 5, ignored: 0 });
    const health = (await service.health!()) as { brokers: Record<string, unknown>[] };
    expect(health.brokers).toEqual([
      expect.objectContaining({ connected: false, queued: 3, dropped: 2, published: 0 }),
    ]);
  });

  it('refuses a publish without a list of events, and ignores events that cannot be routed', async () => {
    service = createPushService({ config: configWith('  broker: mqtt://127.0.0.1:1'), logger });
    expect(() => service!.actions.publish!({ events: 'x' }, {} as never)).toThrow(SogomsError);
    const answer = await service.actions.publish!(
      {
        events: [
          { ...event(1), app: 'unknown' },
          { ...event(2), resource: 'a/b' },
          { ...event(3), action: 'drop' },
          { ...event(4), user_id: '1' },
          event(5),
        ],
      },
      {} as never,
    );
    expect(answer).toEqual({ accepted: 1, ignored: 4 });
  });

  it('credentials are refused with NOT_FOUND when the app does not use dynsec', async () => {
    service = createPushService({ config: configWith('  broker: mqtt://127.0.0.1:1'), logger });
    await expect(
      service.actions.credentials!({ app_id: 'demo', user_id: 1, role: 'user' }, {} as never),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    await expect(
      service.actions.credentials!({ app_id: 'demo', user_id: 'x', role: 'user' }, {} as never),
    ).rejects.toMatchObject({ code: ErrorCode.VALIDATION_ERROR });
  });
});

describe.runIf(mosquittoAvailable())('sogoms-push with a real Mosquitto (dynamic security)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker();
  }, 20_000);
  afterAll(async () => {
    await broker?.close();
  });

  it('device credentials work until their expiry, then the sweep deletes them from Mosquitto', async () => {
    let now = Date.now();
    const config = configWith(`  broker: ${broker.url}
  username: ${BROKER_ADMIN.username}
  password: ${BROKER_ADMIN.password}
  credentials: dynsec
  credentials_ttl: 1h`);
    service = createPushService({ config, logger, now: () => now });
    const creds = (await waitForCredentials(service)) as {
      username: string;
      password: string;
      topics: string[];
    };
    expect(creds.topics).toEqual(['sogoms/demo/users/42/#', 'sogoms/demo/roles/user/#']);
    const device = await mqtt.connectAsync(broker.url, { ...creds, reconnectPeriod: 0 });
    await device.endAsync();

    expect(await service.actions.sweep!({}, {} as never)).toEqual({ deleted: 0 });
    now += 3_600_000 + 1_000;
    expect(await service.actions.sweep!({}, {} as never)).toEqual({ deleted: 1 });
    await expect(
      mqtt.connectAsync(broker.url, { ...creds, reconnectPeriod: 0, connectTimeout: 3_000 }),
    ).rejects.toThrow(/Not authorized|Bad User Name or Password/);
  });
});

/** The service connects in the background: ask until the broker link is up. */
async function waitForCredentials(s: ServiceInstance): Promise<unknown> {
  for (let i = 0; ; i++) {
    try {
      return await s.actions.credentials!({ app_id: 'demo', user_id: 42, role: 'user' }, {} as never);
    } catch (err) {
      if (i > 50 || !(err instanceof SogomsError) || err.code !== ErrorCode.SERVICE_UNAVAILABLE) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
