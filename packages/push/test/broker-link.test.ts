// The broker link (broker-link.ts) over real sockets: what a publish costs when the broker is absent, slow or
// back. Absent: nothing throws, at most maxQueued messages wait (the oldest dropped and counted); back: they
// leave in order on connection; slow (a broker that stops reading): at most maxBufferedBytes sit in the socket,
// the rest dropped and counted — a stalled broker never grows the gateway's heap.
import { createServer, type Server, type Socket } from 'node:net';
import type { PushSettings } from '@sogoms/config';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useBroker } from '../../../tests/helpers/broker-suite.js';
import { BROKER_ADMIN, mosquittoAvailable } from '../../../tests/helpers/mosquitto.js';
import { freePort } from '../../../tests/helpers/platform.js';
import { BrokerLink, BrokerLinks } from '../src/broker-link.js';

const quiet = { info: () => undefined, warn: () => undefined };

function settings(broker: string, account?: { username: string; password: string }): PushSettings {
  return {
    enabled: true,
    broker,
    deviceBroker: broker,
    rows: [],
    credentials: 'none',
    credentialsTtlMs: 60_000,
    ...account,
  } as PushSettings;
}

const links: BrokerLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
});

function open(push: PushSettings, options: { maxQueued?: number; maxBufferedBytes?: number } = {}) {
  const warnings: string[] = [];
  const link = new BrokerLink(push, {
    processName: 'test',
    logger: { info: () => undefined, warn: (_o, m) => warnings.push(m) },
    ...options,
  });
  links.push(link);
  return { link, warnings };
}

describe('a broker link without a broker', () => {
  it('never throws, keeps at most maxQueued messages and counts the oldest it drops', async () => {
    const port = await freePort(); // nothing listens there
    const { link, warnings } = open(settings(`mqtt://127.0.0.1:${port}`), { maxQueued: 3 });
    for (let i = 1; i <= 5; i++) link.publish('sogoms/demo/users/7/tasks', `{"id":${i}}`);
    expect(link.stats()).toMatchObject({ connected: false, queued: 3, dropped: 2, published: 0 });
    expect(warnings).toEqual(['messages dropped: the MQTT broker is unreachable and the queue is full']);
  });
});

describe('a broker that stops reading', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Answers CONNECT with CONNACK (MQTT 3.1.1, accepted), then never reads again.
    server = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => {
        socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
        socket.pause();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('holds at most maxBufferedBytes in the socket, and drops and counts the rest', async () => {
    const { link, warnings } = open(settings(`mqtt://127.0.0.1:${port}`), { maxBufferedBytes: 256 * 1024 });
    await vi.waitFor(() => expect(link.client.connected).toBe(true));
    const payload = 'x'.repeat(16 * 1024);
    // 16 MiB offered, far past what the kernel's buffers take.
    for (let i = 0; i < 1024; i++) link.publish('sogoms/demo/users/7/tasks', payload);
    const stats = link.stats();
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.published + stats.dropped).toBe(1024);
    expect(link.client.stream.writableLength).toBeLessThanOrEqual(256 * 1024 + payload.length + 64);
    expect(warnings).toContain('messages dropped: the MQTT broker does not keep up');
    // Closing does not wait for the stalled broker past the grace period.
    const started = performance.now();
    await link.close();
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe.runIf(mosquittoAvailable())('a broker link to a real Mosquitto', () => {
  const running = useBroker();

  it('publishes in order; what waited while the broker was away leaves in order once it is back', async () => {
    const sub = await mqtt.connectAsync(running().url, { ...BROKER_ADMIN, reconnectPeriod: 0 });
    const got: string[] = [];
    sub.on('message', (_topic, payload) => got.push(payload.toString()));
    await sub.subscribeAsync('sogoms/#', { qos: 0 });
    const { link } = open(settings(running().url, BROKER_ADMIN));
    await vi.waitFor(() => expect(link.client.connected).toBe(true));
    link.publish('sogoms/demo/users/7/tasks', '1');
    link.publish('sogoms/demo/users/8/tasks', '2');
    await vi.waitFor(() => expect(got).toEqual(['1', '2']));

    await sub.endAsync();
    await running().stop();
    await vi.waitFor(() => expect(link.client.connected).toBe(false));
    for (const n of ['3', '4', '5']) link.publish('sogoms/demo/users/7/tasks', n);
    expect(link.stats()).toMatchObject({ queued: 3, published: 2, dropped: 0 });
    await running().start();
    const back = await mqtt.connectAsync(running().url, { ...BROKER_ADMIN, reconnectPeriod: 0 });
    const after: string[] = [];
    back.on('message', (_topic, payload) => after.push(payload.toString()));
    await back.subscribeAsync('sogoms/#', { qos: 0 });
    // The link may reconnect before the subscriber: publish a marker until it is seen after the queue.
    await vi.waitFor(() => expect(link.client.connected).toBe(true), { timeout: 10_000 });
    link.publish('sogoms/demo/users/7/tasks', '6');
    await vi.waitFor(() => expect(after.at(-1)).toBe('6'));
    expect(link.stats()).toMatchObject({ queued: 0, published: 6, dropped: 0 });
    // What the new subscriber saw is the tail of the sequence: nothing lost in the link, nothing reordered.
    expect(after).toEqual(['3', '4', '5', '6'].slice(-after.length));
    await back.endAsync();
  }, 30_000);

  it('one link per broker and account; keepOnly closes the others', async () => {
    const registry = new BrokerLinks({ processName: 'test', logger: quiet });
    const a = registry.link(settings(running().url, BROKER_ADMIN));
    expect(registry.link(settings(running().url, BROKER_ADMIN))).toBe(a);
    const b = registry.link(settings(running().url, { username: 'other', password: 'x' }));
    expect(b).not.toBe(a);
    expect(registry.find(settings(running().url, BROKER_ADMIN))).toBe(a);
    await registry.keepOnly(new Set());
    expect(registry.all()).toEqual([]);
    expect(a.client.disconnected || a.client.disconnecting).toBe(true);
    await registry.close();
  });
});
