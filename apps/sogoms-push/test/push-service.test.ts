// sogoms-push in process, against a real private Mosquitto (dynamic-security plugin) or no broker at all: bad
// input is refused clearly, an unreachable broker is a 503 at once, a device's credentials give it its own topics
// and the resources its role sees whole — nothing else, enforced by Mosquitto — and expired device credentials
// are deleted from Mosquitto by the sweep.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import mqtt from 'mqtt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { useBroker } from '../../../tests/helpers/broker-suite.js';
import { BROKER_ADMIN, mosquittoAvailable } from '../../../tests/helpers/mosquitto.js';
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

let service: ServiceInstance | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const DYNSEC = '  username: admin\n  password: pw\n  credentials: dynsec';

describe('sogoms-push without a broker', () => {
  it('refuses bad input clearly, and apps without push or without dynsec', async () => {
    service = createPushService({ config: configWith(`  broker: mqtt://127.0.0.1:1\n${DYNSEC}`), logger });
    const ask = (params: Record<string, unknown>) => service!.actions.credentials!(params, {} as never);
    for (const [params, field] of [
      [{ app_id: 'demo', user_id: 'x' }, 'user_id'],
      [{ app_id: 'demo', user_id: 0 }, 'user_id'],
      [{ app_id: 'demo', user_id: 1, resources: 'tasks' }, 'resources'],
      [{ app_id: 'demo', user_id: 1, resources: [1] }, 'resources'],
      [{ app_id: 'demo', user_id: 1, resources: Array(501).fill('tasks') }, 'resources'],
    ] as const)
      await expect(ask(params), JSON.stringify(params).slice(0, 80)).rejects.toMatchObject({
        code: ErrorCode.VALIDATION_ERROR,
        data: { field },
      });
    await expect(ask({ app_id: 'other', user_id: 1 })).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_APP });
    service = createPushService({ config: configWith('  broker: mqtt://127.0.0.1:1'), logger });
    await expect(ask({ app_id: 'demo', user_id: 1 })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it('an unreachable broker answers SERVICE_UNAVAILABLE at once; health shows the link down', async () => {
    const port = await freePort(); // nothing listens there
    service = createPushService({
      config: configWith(`  broker: mqtt://127.0.0.1:${port}\n${DYNSEC}`),
      logger,
    });
    const started = performance.now();
    await expect(
      service.actions.credentials!({ app_id: 'demo', user_id: 1 }, {} as never),
    ).rejects.toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
    expect(performance.now() - started).toBeLessThan(1_000);
    const health = (await service.health!()) as { brokers: Record<string, unknown>[] };
    expect(health.brokers).toEqual([expect.objectContaining({ connected: false })]);
  });

  it('holds no broker link for apps that hand out no credentials', async () => {
    service = createPushService({ config: configWith('  broker: mqtt://127.0.0.1:1'), logger });
    expect(await service.health!()).toEqual({ brokers: [] });
  });
});

describe.runIf(mosquittoAvailable())('sogoms-push with a real Mosquitto (dynamic security)', () => {
  const running = useBroker();

  it('device credentials work until their expiry, then the sweep deletes them from Mosquitto', async () => {
    let now = Date.now();
    const config = configWith(`  broker: ${running().url}
  username: ${BROKER_ADMIN.username}
  password: ${BROKER_ADMIN.password}
  credentials: dynsec
  credentials_ttl: 1h`);
    service = createPushService({ config, logger, now: () => now });
    const creds = (await waitForCredentials(service, ['tasks'])) as {
      username: string;
      password: string;
      topics: string[];
    };
    expect(creds.topics).toEqual(['sogoms/demo/users/42/#', 'sogoms/demo/users/+/tasks']);
    const device = await mqtt.connectAsync(running().url, { ...creds, reconnectPeriod: 0 });
    const received: string[] = [];
    device.on('message', (topic) => received.push(topic));
    for (const topic of creds.topics) await device.subscribeAsync(topic, { qos: 0 });
    // Anything wider or elsewhere is refused by the broker (SUBACK 0x80).
    for (const topic of ['sogoms/demo/users/+/projects', 'sogoms/demo/users/#', 'sogoms/demo/users/+/+', '#'])
      await expect(device.subscribeAsync(topic, { qos: 0 }), topic).rejects.toThrow(/Subscribe error/);
    const platform = await mqtt.connectAsync(running().url, { ...BROKER_ADMIN, reconnectPeriod: 0 });
    for (const topic of [
      'sogoms/demo/users/7/tasks',
      'sogoms/demo/users/7/projects',
      'sogoms/demo/users/42/projects',
      'sogoms/other/users/42/tasks',
    ])
      await platform.publishAsync(topic, '{}');
    await platform.endAsync();
    await vi.waitFor(() => expect(received).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 200));
    expect(received.sort()).toEqual(['sogoms/demo/users/42/projects', 'sogoms/demo/users/7/tasks']);
    await device.endAsync();

    expect(await service.actions.sweep!({}, {} as never)).toEqual({ deleted: 0 });
    now += 3_600_000 + 1_000;
    expect(await service.actions.sweep!({}, {} as never)).toEqual({ deleted: 1 });
    await expect(
      mqtt.connectAsync(running().url, { ...creds, reconnectPeriod: 0, connectTimeout: 3_000 }),
    ).rejects.toThrow(/Not authorized|Bad User Name or Password/);
  });
});

/** The service connects in the background: ask until the broker link is up. */
async function waitForCredentials(s: ServiceInstance, resources: string[]): Promise<unknown> {
  for (let i = 0; ; i++) {
    try {
      return await s.actions.credentials!({ app_id: 'demo', user_id: 42, resources }, {} as never);
    } catch (err) {
      if (i > 50 || !(err instanceof SogomsError) || err.code !== ErrorCode.SERVICE_UNAVAILABLE) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
