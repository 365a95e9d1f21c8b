import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callOnce, createServiceClient } from '../src/client.js';
import { encodeFrame, FrameDecoder } from '../src/codec.js';
import { ClientConnection } from '../src/connection.js';
import { ErrorCode, SogomsError } from '../src/errors.js';
import { RawJson } from '../src/raw-json.js';
import { createProtocolServer, type ProtocolServer } from '../src/server.js';

let dir: string;
const servers: ProtocolServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sg-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(path: string, handlers: Parameters<typeof createProtocolServer>[0]['handlers'] = {}) {
  const server = createProtocolServer({
    socketPath: path,
    handlers: { health: () => ({ status: 'ok' }), echo: (params) => params, ...handlers },
  });
  await server.listen();
  servers.push(server);
  return server;
}

/** A raw connection that collects every answer. */
function raw(path: string) {
  const socket: Socket = connect(path);
  const decoder = new FrameDecoder();
  const answers: Array<Record<string, unknown>> = [];
  let closed = false;
  socket.on('data', (chunk) => {
    for (const p of decoder.push(chunk)) answers.push(JSON.parse(p.toString('utf8')));
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  const until = async (cond: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { socket, answers, isClosed: () => closed, until };
}

describe('protocol server', () => {
  it('creates the socket with mode 0660 and answers health', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    expect(await callOnce(path, 'health')).toEqual({ status: 'ok' });
  });

  it('answers malformed JSON with PROTOCOL_ERROR, id null, and closes that connection only', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    const c = raw(path);
    const body = Buffer.from('{not json');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    c.socket.write(Buffer.concat([head, body]));
    await c.until(() => c.isClosed());
    expect(c.answers).toEqual([
      { id: null, status: 'error', error: expect.objectContaining({ code: 'PROTOCOL_ERROR' }) },
    ]);
    expect(await callOnce(path, 'health')).toEqual({ status: 'ok' });
  });

  it('answers an oversized declared length with PROTOCOL_ERROR and closes without reading the body', async () => {
    const path = join(dir, 'a.sock');
    const server = createProtocolServer({
      socketPath: path,
      handlers: { health: () => 'ok' },
      maxFrameBytes: 1024,
    });
    await server.listen();
    servers.push(server);
    const c = raw(path);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(1024 * 1024 * 1024, 0);
    c.socket.write(head);
    await c.until(() => c.isClosed());
    expect(c.answers[0]).toMatchObject({ id: null, status: 'error', error: { code: 'PROTOCOL_ERROR' } });
  });

  it('keeps memory flat when many clients declare huge frames', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const c = raw(path);
          const head = Buffer.alloc(4);
          head.writeUInt32BE(0xfffffff0, 0);
          c.socket.write(Buffer.concat([head, Buffer.alloc(64 * 1024, 1)]));
          await c.until(() => c.isClosed());
        }),
      );
    }
    const grown = process.memoryUsage().rss - before;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    expect(await callOnce(path, 'health')).toEqual({ status: 'ok' });
  });

  it('answers valid JSON that is no request with BAD_REQUEST, and an unknown action with UNKNOWN_ACTION', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    const c = raw(path);
    c.socket.write(encodeFrame([1, 2, 3]));
    c.socket.write(encodeFrame({ id: 'x1', action: 42 }));
    c.socket.write(encodeFrame({ id: 'x2', action: 'nope', params: {} }));
    c.socket.write(encodeFrame({ id: 'x3', action: 'echo', params: { a: 1 } }));
    await c.until(() => c.answers.length === 4);
    expect(c.answers[0]).toMatchObject({ id: null, error: { code: 'BAD_REQUEST' } });
    expect(c.answers[1]).toMatchObject({ id: 'x1', error: { code: 'BAD_REQUEST' } });
    expect(c.answers[2]).toMatchObject({ id: 'x2', error: { code: 'UNKNOWN_ACTION' } });
    expect(c.answers[3]).toEqual({ id: 'x3', status: 'success', result: { a: 1 } });
    expect(c.isClosed()).toBe(false);
    c.socket.destroy();
  });

  it('still answers health after thousands of garbage connections', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let batch = 0; batch < 40; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const c = raw(path);
          const junk = Buffer.from(Array.from({ length: 1 + (rand() % 200) }, () => rand() & 0xff));
          c.socket.end(junk);
          await c.until(() => c.isClosed());
        }),
      );
    }
    expect(await callOnce(path, 'health')).toEqual({ status: 'ok' });
  });

  it('refuses to take over a live socket and replaces a stale socket file', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    const second = createProtocolServer({ socketPath: path, handlers: {} });
    await expect(second.listen()).rejects.toThrow(/live server/);
    const stalePath = join(dir, 'b.sock');
    writeFileSync(stalePath, '');
    await start(stalePath);
    expect(await callOnce(stalePath, 'health')).toEqual({ status: 'ok' });
  });

  it('turns handler SogomsErrors into error answers and other throws into INTERNAL_ERROR without details', async () => {
    const path = join(dir, 'a.sock');
    await start(path, {
      typed: () => {
        throw new SogomsError(ErrorCode.DB_DUPLICATE, 'duplicate', { key: 'email' });
      },
      crash: async () => {
        throw new Error('secret internals');
      },
    });
    const client = createServiceClient({ sockets: [path] });
    await expect(client.call('typed')).rejects.toMatchObject({
      code: 'DB_DUPLICATE',
      data: { key: 'email' },
    });
    const err = await client.call('crash').catch((e: SogomsError) => e);
    expect(err).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(String((err as Error).message)).not.toContain('secret');
    client.close();
  });
});

describe('service client', () => {
  it('matches 1,000 concurrent requests answered out of order on one connection', async () => {
    const path = join(dir, 'a.sock');
    const server = await start(path, {
      slow: (params) =>
        new Promise((resolve) => setTimeout(() => resolve({ n: params.n }), Math.floor(Math.random() * 30))),
    });
    const client = createServiceClient({ sockets: [path], connectionsPerSocket: 1 });
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, n) => client.call<{ n: number }>('slow', { n })),
    );
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    expect(server.connections).toBe(1);
    client.close();
  });

  it('times out a request that gets no answer with TIMEOUT', async () => {
    const path = join(dir, 'a.sock');
    await start(path, { hang: () => new Promise(() => undefined) });
    const client = createServiceClient({ sockets: [path], timeoutMs: 150 });
    await expect(client.call('hang')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await client.call('health')).toEqual({ status: 'ok' });
    client.close();
  });

  it('answers SERVICE_UNAVAILABLE when nothing listens, then reconnects once the server is back', async () => {
    const path = join(dir, 'a.sock');
    const server = await start(path);
    const client = createServiceClient({ sockets: [path] });
    expect(await client.call('health')).toEqual({ status: 'ok' });
    await server.close(50);
    servers.splice(servers.indexOf(server), 1);
    await expect(client.call('health')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await start(path);
    const deadline = Date.now() + 3000;
    let answer: unknown;
    while (Date.now() < deadline) {
      answer = await client.call('health').catch(() => undefined);
      if (answer) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(answer).toEqual({ status: 'ok' });
    client.close();
  });

  it('spreads requests over every discovered instance socket', async () => {
    const counts = [0, 0];
    await start(join(dir, 'sogoms-db.1.sock'), { who: () => ++counts[0]! });
    await start(join(dir, 'sogoms-db.2.sock'), { who: () => ++counts[1]! });
    await start(join(dir, 'sogoms-logs.1.sock'));
    const client = createServiceClient({ discover: { dir, service: 'db' } });
    expect(client.sockets()).toEqual([join(dir, 'sogoms-db.1.sock'), join(dir, 'sogoms-db.2.sock')]);
    await Promise.all(Array.from({ length: 200 }, () => client.call('who')));
    expect(counts[0]).toBeGreaterThan(20);
    expect(counts[1]).toBeGreaterThan(20);
    client.close();
  });

  it('keeps serving through the remaining instance when one instance dies', async () => {
    const one = await start(join(dir, 'sogoms-db.1.sock'), { who: () => 1 });
    await start(join(dir, 'sogoms-db.2.sock'), { who: () => 2 });
    const client = createServiceClient({ discover: { dir, service: 'db' } });
    await Promise.all(Array.from({ length: 20 }, () => client.call('who')));
    await one.close(10);
    servers.splice(servers.indexOf(one), 1);
    writeFileSync(join(dir, 'sogoms-db.1.sock'), ''); // a stale file left by a killed instance
    const answers = await Promise.all(Array.from({ length: 50 }, () => client.call('who')));
    expect(new Set(answers)).toEqual(new Set([2]));
    client.close();
  });
});

describe('raw results', () => {
  it('resolves a raw call with the result as JSON text, exactly as the server wrote it', async () => {
    const path = join(dir, 'a.sock');
    await start(path, {
      rows: () => [
        { id: 1, name: 'é "quoted" \\ slash' },
        { id: 2, name: null },
      ],
    });
    const client = createServiceClient({ sockets: [path] });
    const raw = await client.call<RawJson>('rows', {}, { raw: true });
    expect(raw).toBeInstanceOf(RawJson);
    expect(raw.json).toBe(
      JSON.stringify([
        { id: 1, name: 'é "quoted" \\ slash' },
        { id: 2, name: null },
      ]),
    );
    expect(await client.call('rows')).toEqual(raw.parse());
    client.close();
  });

  it('falls back to parsing for an id with escapes, and still rejects error answers', async () => {
    const path = join(dir, 'a.sock');
    await start(path, {
      one: () => null,
      fail: () => {
        throw new SogomsError(ErrorCode.DB_ERROR, 'query failed');
      },
    });
    const client = createServiceClient({ sockets: [path] });
    const odd = await client.call<RawJson>('one', {}, { raw: true, id: 'req "with" quotes' });
    expect(odd.json).toBe('null');
    await expect(client.call('fail', {}, { raw: true })).rejects.toMatchObject({ code: 'DB_ERROR' });
    client.close();
  });
});

describe('regressions', () => {
  it('settles ready when a connection is closed before it connected (a call hung forever after a restart)', async () => {
    const path = join(dir, 'a.sock');
    await start(path);
    const conn = new ClientConnection(path);
    conn.close();
    await expect(conn.ready).rejects.toThrow(/closed before connecting/);
  });

  it('still delivers PROTOCOL_ERROR when the client keeps sending after an oversized header', async () => {
    const path = join(dir, 'a.sock');
    const server = createProtocolServer({ socketPath: path, handlers: {}, maxFrameBytes: 1024 });
    await server.listen();
    servers.push(server);
    for (let i = 0; i < 40; i++) {
      const c = raw(path);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(1 << 30, 0);
      c.socket.write(head);
      await new Promise((r) => setImmediate(r));
      c.socket.write(Buffer.alloc(64 * 1024, 7));
      await c.until(() => c.answers.length > 0 || c.isClosed());
      await c.until(() => c.isClosed());
      expect(c.answers[0]).toMatchObject({ id: null, error: { code: 'PROTOCOL_ERROR' } });
    }
  });
});
