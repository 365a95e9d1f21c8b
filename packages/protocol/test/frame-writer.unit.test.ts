// Unit tests of the frame writer's batching against a recording socket: when a batch is flushed (microtask,
// 16 frames, 64 KiB), what one write holds, frames over the maximum, and a destroyed socket. Each case pins a
// behaviour mutation testing (`pnpm test:mutation protocol`, docs/MUTATION.md) found unpinned; the socket
// tests cover the same code end to end but cannot see how frames were grouped into writes.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame } from '../src/codec.js';
import { FrameWriter } from '../src/frame-writer.js';

/** The two members of a socket FrameWriter uses, recording every write. */
class RecordingSocket {
  destroyed = false;
  readonly writes: Buffer[] = [];
  write(data: Buffer): boolean {
    this.writes.push(Buffer.from(data));
    return true;
  }
}

function writer(max?: number): { w: FrameWriter; socket: RecordingSocket } {
  const socket = new RecordingSocket();
  return { w: new FrameWriter(socket as unknown as Socket, max), socket };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
/** The bytes of frames carrying these JSON texts, as the decoder expects them (cross-checked below). */
const frames = (...texts: string[]) =>
  Buffer.concat(
    texts.flatMap((t) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(Buffer.byteLength(t), 0);
      return [head, Buffer.from(t)];
    }),
  );

describe('FrameWriter batching', () => {
  it('writes nothing synchronously, then one write holding every frame queued in the same tick', async () => {
    const { w, socket } = writer();
    expect(w.writeJson('{"a":1}')).toBe(true);
    expect(w.writeJson('"é"')).toBe(true);
    expect(socket.writes).toHaveLength(0);
    await tick();
    expect(socket.writes).toEqual([frames('{"a":1}', '"é"')]);
  });

  it('schedules a new flush for frames queued after a flush', async () => {
    const { w, socket } = writer();
    w.writeJson('1');
    await tick();
    w.writeJson('2');
    await tick();
    expect(socket.writes).toEqual([frames('1'), frames('2')]);
  });

  // [frames queued at once, payload bytes each, writes seen before the microtask]
  const early: Array<[string, number, number, number]> = [
    ['15 small frames wait for the microtask', 15, 1, 0],
    ['the 16th frame flushes at once', 16, 1, 1],
    ['a batch one byte under 64 KiB waits', 1, 64 * 1024 - 5, 0],
    ['a batch reaching 64 KiB (headers included) flushes at once', 1, 64 * 1024 - 4, 1],
    ['two frames reaching 64 KiB together flush at once', 2, 32 * 1024 - 4, 1],
  ];
  it.each(early)('%s', async (_name, count, bytes, before) => {
    const { w, socket } = writer();
    const json = '7'.repeat(bytes);
    expect(Buffer.byteLength(json)).toBe(bytes);
    for (let i = 0; i < count; i++) w.writeJson(json);
    expect(socket.writes).toHaveLength(before);
    await tick();
    expect(socket.writes).toHaveLength(1);
    expect(Buffer.concat(socket.writes)).toEqual(frames(...Array(count).fill(json)));
  });

  it('after an early flush, the next frames go in the next batch', async () => {
    const { w, socket } = writer();
    for (let i = 0; i < 17; i++) w.writeJson(String(i));
    expect(socket.writes).toHaveLength(1);
    await tick();
    expect(socket.writes.map((b) => b.length)).toEqual([10 * 5 + 6 * 6, 4 + 2]);
  });

  it('writes the same bytes as encodeFrame', async () => {
    const { w, socket } = writer();
    w.writeJson(JSON.stringify({ id: 'é', n: [1] }));
    await tick();
    expect(socket.writes).toEqual([encodeFrame({ id: 'é', n: [1] })]);
  });

  it('flush() with nothing queued writes nothing', () => {
    const { w, socket } = writer();
    w.flush();
    expect(socket.writes).toHaveLength(0);
  });
});

describe('FrameWriter refusals', () => {
  // [max frame bytes, JSON text, accepted]
  const cases: Array<[number, string, boolean]> = [
    [5, '"abc"', true],
    [5, '"abcd"', false],
    [5, '"é"', true], // 4 bytes
    [5, '"éé"', false], // 4 characters, 6 bytes
    [4, '"é"', true],
  ];
  it.each(cases)(
    'max %d: %s accepted=%s, and nothing of a refused frame is written',
    async (max, json, accepted) => {
      const { w, socket } = writer(max);
      expect(w.writeJson(json)).toBe(accepted);
      w.writeJson('1');
      await tick();
      expect(socket.writes).toEqual([accepted ? frames(json, '1') : frames('1')]);
    },
  );

  it('defaults to the decoder maximum', () => {
    expect(writer().w.maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
  });

  it('drops the queue instead of writing to a destroyed socket, and does not send it later', async () => {
    const { w, socket } = writer();
    w.writeJson('"lost"');
    socket.destroyed = true;
    await tick();
    socket.destroyed = false;
    w.flush();
    w.writeJson('"after"');
    await tick();
    expect(socket.writes).toEqual([frames('"after"')]);
  });
});
