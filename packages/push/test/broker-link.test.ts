// The broker link (broker-link.ts) over real sockets: what a publish costs when the broker is absent, slow or
// back. Absent: nothing throws, at most maxQueued messages wait (the oldest dropped and counted); back: they
// leave in order on connection (a broker of our own records every PUBLISH it reads); slow (a broker that stops
// reading): at most maxBufferedBytes sit in the socket, the rest dropped and counted — a stalled broker never
// grows the gateway's heap — and closing does not wait for it, even with a SUBSCRIBE it never answers.
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

/**
 * A broker of our own on a fixed port: answers CONNECT with CONNACK (MQTT 3.1.1, accepted), then records the
 * payload of every QoS 0 PUBLISH it reads — or, with stallAfterConnect, never reads again. It can go away and
 * come back.
 */
function fakeBroker(port: number, options: { stallAfterConnect?: boolean } = {}) {
  const payloads: string[] = [];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        // Fixed header: type byte, then the remaining length (variable length, 7 bits per byte).
        let length = 0;
        let at = 1;
        let complete = false;
        for (let shift = 0; at < buffer.length && shift < 28; shift += 7) {
          const byte = buffer[at++]!;
          length += (byte & 0x7f) << shift;
          if ((byte & 0x80) === 0) {
            complete = true;
            break;
          }
        }
        if (!complete || buffer.length < at + length) return;
        const type = buffer[0]! >> 4;
        const body = buffer.subarray(at, at + length);
        buffer = buffer.subarray(at + length);
        if (type === 1) {
          socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT → CONNACK
          if (options.stallAfterConnect) {
            socket.pause();
            return;
          }
        }
        if (type === 3) payloads.push(body.subarray(2 + body.readUInt16BE(0)).toString()); // PUBLISH, QoS 0
      }
    });
    socket.on('error', () => undefined);
  };
  return {
    payloads,
    start: () =>
      new Promise<void>((resolve) => {
        server = createServer(onSocket);
        server.listen(port, '127.0.0.1', resolve);
      }),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise((r) => server?.close(r));
    },
  };
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
  let port: number;
  let broker: ReturnType<typeof fakeBroker>;
  beforeAll(async () => {
    port = await freePort();
    broker = fakeBroker(port, { stallAfterConnect: true });
    await broker.start();
  });
  afterAll(async () => {
    await broker.stop();
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

  it('closing does not wait for a SUBSCRIBE the broker never answers', async () => {
    const { link } = open(settings(`mqtt://127.0.0.1:${port}`));
    await vi.waitFor(() => expect(link.client.connected).toBe(true));
    link.client.subscribe('sogoms/demo/users/+/+', { qos: 0 });
    const started = performance.now();
    await link.close();
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('a broker link whose broker goes away and comes back', () => {
  it('keeps what is published meanwhile and sends it first, in order, once connected again', async () => {
    const port = await freePort();
    const broker = fakeBroker(port);
    await broker.start();
    const { link } = open(settings(`mqtt://127.0.0.1:${port}`));
    await vi.waitFor(() => expect(link.client.connected).toBe(true));
    link.publish('sogoms/demo/users/7/tasks', '1');
    await vi.waitFor(() => expect(broker.payloads).toEqual(['1']));
    await broker.stop();
    await vi.waitFor(() => expect(link.client.connected).toBe(false));
    for (const n of ['2', '3', '4']) link.publish('sogoms/demo/users/7/tasks', n);
    expect(link.stats()).toMatchObject({ queued: 3, published: 1, dropped: 0 });
    await broker.start();
    await vi.waitFor(() => expect(link.client.connected).toBe(true), { timeout: 10_000 });
    link.publish('sogoms/demo/users/7/tasks', '5');
    await vi.waitFor(() => expect(broker.payloads).toEqual(['1', '2', '3', '4', '5']));
    expect(link.stats()).toMatchObject({ queued: 0, published: 5, dropped: 0 });
    await broker.stop();
  }, 20_000);
});

describe.runIf(mosquittoAvailable())('a broker link to a real Mosquitto', () => {
  const running = useBroker();

  it('publishes in order, and again after the broker restarted', async () => {
    const subscribe = async () => {
      const sub = await mqtt.connectAsync(running().url, { ...BROKER_ADMIN, reconnectPeriod: 0 });
      const got: string[] = [];
      sub.on('message', (_topic, payload) => got.push(payload.toString()));
      await sub.subscribeAsync('sogoms/#', { qos: 0 });
      return { sub, got };
    };
    const first = await subscribe();
    const { link } = open(settings(running().url, BROKER_ADMIN));
    await vi.waitFor(() => expect(link.client.connected).toBe(true));
    for (const n of ['1', '2', '3']) link.publish('sogoms/demo/users/7/tasks', n);
    await vi.waitFor(() => expect(first.got).toEqual(['1', '2', '3']));
    await first.sub.endAsync();
    await running().stop();
    await vi.waitFor(() => expect(link.client.connected).toBe(false));
    await running().start();
    const second = await subscribe();
    await vi.waitFor(() => expect(link.client.connected).toBe(true), { timeout: 10_000 });
    link.publish('sogoms/demo/users/7/tasks', '4');
    await vi.waitFor(() => expect(second.got).toEqual(['4']));
    await second.sub.endAsync();
  }, 30_000);

  it('one link per broker and account; keepOnly closes the others', async () => {
    const registry = new BrokerLinks({ processName: 'test', logger: quiet });
    const a = registry.link(settings(running().url, BROKER_ADMIN));
    expect(registry.link(settings(running().url, BROKER_ADMIN))).toBe(a);
    const b = registry.link(settings(running().url, { username: 'other', password: 'x' }));
    expect(b).not.toBe(a);
    await registry.keepOnly(new Set());
    expect(registry.all()).toEqual([]);
    expect(a.client.disconnected || a.client.disconnecting).toBe(true);
    await registry.close();
  });
});
