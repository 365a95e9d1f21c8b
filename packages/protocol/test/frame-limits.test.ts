// Issue "hardening" items 5 and 14: an answer over the frame limit fails its own request only (the shared
// connection stays open for every other request), a zero-length frame gets a clean PROTOCOL_ERROR, and no
// internal exception text ever reaches the wire.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServiceClient, type ServiceClient } from '../src/client.js';
import { encodeFrame, FrameDecoder, FrameTooLargeError, OVERSIZED_HEAD_BYTES } from '../src/codec.js';
import { ErrorCode, SogomsError } from '../src/errors.js';
import type { RawJson } from '../src/raw-json.js';
import { type ActionHandler, createProtocolServer, type ProtocolServer } from '../src/server.js';

const LIMIT = 64 * 1024;

let dir: string;
const servers: ProtocolServer[] = [];
const clients: ServiceClient[] = [];
const netServers: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgl-'));
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of netServers.splice(0)) server.close();
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
  rmSync(dir, { recursive: true, force: true });
});

function header(length: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(length, 0);
  return out;
}

interface Logged {
  level: string;
  obj: unknown;
  msg: string | undefined;
}

async function start(handlers: Record<string, ActionHandler>, maxFrameBytes?: number) {
  const path = join(dir, 's.sock');
  const logged: Logged[] = [];
  const entry = (level: string) => (obj: object | string, msg?: string) => {
    logged.push({ level, obj, msg });
  };
  const server = createProtocolServer({
    socketPath: path,
    handlers: { health: () => ({ status: 'ok' }), ...handlers },
    maxFrameBytes,
    logger: { info: entry('info'), warn: entry('warn'), error: entry('error') },
  });
  await server.listen();
  servers.push(server);
  return { path, server, logged };
}

function client(path: string, maxFrameBytes?: number): ServiceClient {
  const c = createServiceClient({ sockets: [path], connectionsPerSocket: 1, maxFrameBytes });
  clients.push(c);
  return c;
}

/** Writes bytes on a raw connection; resolves with the raw bytes sent back once `count` answers came, or at close. */
function rawExchange(path: string, bytes: Buffer, count = Number.POSITIVE_INFINITY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(path);
    const chunks: Buffer[] = [];
    const decoder = new FrameDecoder();
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${seen} answers, and the server did not close the connection`));
    }, 5_000);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      seen += decoder.push(chunk).length;
      if (seen >= count) done();
    });
    socket.on('error', () => undefined);
    socket.on('close', done);
  });
}

function answers(wire: Buffer): Array<Record<string, unknown>> {
  return new FrameDecoder().push(wire).map((p) => JSON.parse(p.toString('utf8')));
}

describe('frame decoder limits', () => {
  it('decodes a zero-length frame as an empty payload (it threw an internal TypeError)', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(header(0))).toEqual([Buffer.alloc(0)]);
    const out = decoder.push(Buffer.concat([header(0), encodeFrame({ a: 1 }), header(0)]));
    expect(out.map((p) => p.toString('utf8'))).toEqual(['', '{"a":1}', '']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('skips an oversized frame once onOversized agrees, keeping only its head, and decodes the frames after it', () => {
    for (const split of [1, 7, 4096, Number.POSITIVE_INFINITY]) {
      const heads: string[] = [];
      const decoder = new FrameDecoder(100, {
        onOversized: (declared, head) => {
          expect(declared).toBe(big.length - 4);
          heads.push(head.toString('utf8'));
          return head.length < 20 ? undefined : true; // wants 20 bytes to decide
        },
      });
      const big = encodeFrame({ id: 'big', result: 'x'.repeat(10_000) });
      const all = Buffer.concat([encodeFrame({ n: 1 }), big, encodeFrame({ n: 2 })]);
      const out: string[] = [];
      let maxPending = 0;
      for (let at = 0; at < all.length; at += Math.min(split, all.length)) {
        out.push(...decoder.push(all.subarray(at, at + split)).map((p) => p.toString('utf8')));
        maxPending = Math.max(maxPending, decoder.pendingBytes);
      }
      expect(out).toEqual(['{"n":1}', '{"n":2}']);
      const last = heads.at(-1)!;
      expect(last.length).toBeGreaterThanOrEqual(20);
      expect(big.toString('utf8', 4).startsWith(last)).toBe(true);
      // Fed in small pieces, the decoder never holds more than the head and one piece.
      if (split <= 4096) expect(maxPending).toBeLessThanOrEqual(OVERSIZED_HEAD_BYTES + split);
      expect(decoder.pendingBytes).toBe(0);
    }
  });

  it('refuses the skip when onOversized is still undecided once OVERSIZED_HEAD_BYTES have come', () => {
    const decoder = new FrameDecoder(100, { onOversized: () => undefined });
    const frame = Buffer.concat([header(5_000), Buffer.alloc(5_000, 0x61)]);
    expect(() => decoder.push(frame.subarray(0, 4 + OVERSIZED_HEAD_BYTES - 1))).not.toThrow();
    expect(() => decoder.push(frame.subarray(4 + OVERSIZED_HEAD_BYTES - 1))).toThrow(FrameTooLargeError);
  });

  it('throws FrameTooLargeError when onOversized refuses the skip', () => {
    const decoder = new FrameDecoder(100, { onOversized: () => false });
    const frame = Buffer.concat([header(5_000), Buffer.alloc(5_000, 0x61)]);
    expect(() => decoder.push(frame)).toThrow(FrameTooLargeError);
    expect(decoder.pendingBytes).toBe(0);
  });
});

describe('protocol server: answers over the frame limit', () => {
  it('answers RESULT_TOO_LARGE for that request alone; the shared connection keeps serving the others (a big result broke it for everyone)', async () => {
    const { path, server, logged } = await start(
      {
        rows: (params) => ({ rows: 'r'.repeat(Number(params.size)) }),
        slow: () => new Promise((resolve) => setTimeout(() => resolve('slow done'), 50)),
      },
      LIMIT,
    );
    const c = client(path, LIMIT);
    const slow = c.call('slow');
    const [big, bigRaw, small, smallRaw, health] = await Promise.allSettled([
      c.call('rows', { size: LIMIT }),
      c.call('rows', { size: 2 * LIMIT }, { raw: true }),
      c.call('rows', { size: 10 }),
      c.call<RawJson>('rows', { size: 10 }, { raw: true }),
      c.call('health'),
    ]);
    for (const failed of [big, bigRaw]) {
      expect(failed.status).toBe('rejected');
      expect((failed as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.RESULT_TOO_LARGE });
    }
    expect(small).toEqual({ status: 'fulfilled', value: { rows: 'rrrrrrrrrr' } });
    expect((smallRaw as PromiseFulfilledResult<RawJson>).value.json).toBe('{"rows":"rrrrrrrrrr"}');
    expect(health).toEqual({ status: 'fulfilled', value: { status: 'ok' } });
    expect(await slow).toBe('slow done');
    // One connection all along: nothing was closed and reopened.
    expect(server.connections).toBe(1);
    const warned = logged.filter((l) => l.level === 'warn');
    expect(warned).toHaveLength(2);
    expect(warned[0]!.obj).toMatchObject({ action: 'rows', max: LIMIT });
    expect(warned[0]!.msg).toMatch(/frame limit/);
  });

  it('answers exactly at the limit normally, and one byte over with RESULT_TOO_LARGE', async () => {
    const { path } = await start({ rows: (params) => 'x'.repeat(Number(params.size)) }, LIMIT);
    const c = client(path, LIMIT);
    const envelope = (id: string, size: number) =>
      Buffer.byteLength(`{"id":${JSON.stringify(id)},"status":"success","result":"${'x'.repeat(size)}"}`);
    const fits = LIMIT - envelope('edge', 0);
    expect(envelope('edge', fits)).toBe(LIMIT);
    expect(await c.call<string>('rows', { size: fits }, { id: 'edge' })).toHaveLength(fits);
    await expect(c.call('rows', { size: fits + 1 }, { id: 'edge' })).rejects.toMatchObject({
      code: ErrorCode.RESULT_TOO_LARGE,
    });
  });

  it('answers RESULT_TOO_LARGE for an error answer over the limit too', async () => {
    const { path } = await start(
      {
        noisy: () => {
          throw new SogomsError(ErrorCode.DB_ERROR, 'y'.repeat(2 * LIMIT));
        },
      },
      LIMIT,
    );
    const c = client(path, LIMIT);
    await expect(c.call('noisy')).rejects.toMatchObject({ code: ErrorCode.RESULT_TOO_LARGE });
    expect(await c.call('health')).toEqual({ status: 'ok' });
  });
});

describe('protocol client: frames over its limit', () => {
  it('fails only the request whose answer is over its limit (a server with a larger limit), the others on the connection go on', async () => {
    const { path, server } = await start({ rows: (params) => 'z'.repeat(Number(params.size)) });
    const c = client(path, LIMIT);
    const results = await Promise.allSettled([
      c.call('rows', { size: 10 }),
      c.call('rows', { size: 4 * LIMIT }, { raw: true }),
      c.call('rows', { size: 3 * LIMIT }),
      c.call('rows', { size: 20 }),
      c.call('health'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: ErrorCode.RESULT_TOO_LARGE,
      data: { max: LIMIT },
    });
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.RESULT_TOO_LARGE });
    expect(await c.call('rows', { size: 5 })).toBe('zzzzz');
    expect(server.connections).toBe(1);
  });

  it('refuses to send a request over the frame limit with PAYLOAD_TOO_LARGE, without closing the connection', async () => {
    const { path, server } = await start({ echo: (params) => params }, LIMIT);
    const c = client(path, LIMIT);
    const [big, small] = await Promise.allSettled([
      c.call('echo', { blob: 'b'.repeat(LIMIT) }),
      c.call('echo', { blob: 'b' }),
    ]);
    expect((big as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.PAYLOAD_TOO_LARGE });
    expect(small).toEqual({ status: 'fulfilled', value: { blob: 'b' } });
    expect(server.connections).toBe(1);
  });

  it('closes the connection when an oversized frame does not start like an answer (lost framing)', async () => {
    const path = join(dir, 'fake.sock');
    const fake = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write(Buffer.concat([header(LIMIT * 4), Buffer.alloc(100, 0x41)])));
    });
    netServers.push(fake);
    await new Promise<void>((resolve) => fake.listen(path, resolve));
    const c = client(path, LIMIT);
    await expect(c.call('anything', {}, { timeoutMs: 3_000 })).rejects.toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
    });
  });
});

describe('no internal exception text on the wire', () => {
  it('answers a zero-length frame with PROTOCOL_ERROR "empty frame", no TypeError or stack on the wire', async () => {
    const { path } = await start({});
    const wire = await rawExchange(path, header(0));
    expect(answers(wire)).toEqual([
      { id: null, status: 'error', error: { code: ErrorCode.PROTOCOL_ERROR, message: 'empty frame' } },
    ]);
    expect(wire.toString('utf8')).not.toMatch(/TypeError|Cannot read|\bat /);
  });

  it('answers handlers that throw plain errors, or return what JSON cannot carry, with INTERNAL_ERROR "internal error"', async () => {
    const { path, logged } = await start({
      plain: () => {
        throw new Error('secret internals at /srv/app.js:12');
      },
      typeError: (params) => (params.missing as { deep: string }).deep,
      asyncPlain: async () => {
        throw new RangeError('secret range');
      },
      bigint: () => ({ n: 10n }),
      badData: () => {
        throw new SogomsError(ErrorCode.DB_ERROR, 'Database error', { n: 10n });
      },
    });
    const ids = ['plain', 'typeError', 'asyncPlain', 'bigint'];
    const requests = Buffer.concat([
      ...ids.map((action) => encodeFrame({ id: `r-${action}`, action, params: {} })),
      encodeFrame({ id: 'r-badData', action: 'badData', params: {} }),
    ]);
    const wire = await rawExchange(path, requests, ids.length + 1);
    const got = answers(wire);
    for (const action of ids)
      expect(got).toContainEqual({
        id: `r-${action}`,
        status: 'error',
        error: { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' },
      });
    expect(got).toContainEqual({
      id: 'r-badData',
      status: 'error',
      error: { code: ErrorCode.DB_ERROR, message: 'Database error' },
    });
    const text = wire.toString('utf8');
    for (const leak of ['secret', 'TypeError', 'RangeError', 'BigInt', 'Cannot', '/srv/', '\\n    at '])
      expect(text).not.toContain(leak);
    // What is kept from the wire is in the service's own log.
    expect(logged.filter((l) => l.level === 'error').length).toBeGreaterThanOrEqual(4);
  });
});
