import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameTooLargeError } from '../src/codec.js';

const decodeAll = (decoder: FrameDecoder, chunks: Buffer[]) =>
  chunks.flatMap((chunk) => decoder.push(chunk)).map((payload) => JSON.parse(payload.toString('utf8')));

describe('frame codec', () => {
  it('writes a 4-byte big-endian length then UTF-8 JSON', () => {
    const frame = encodeFrame({ msg: 'héllo' });
    expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
    expect(frame.subarray(4).toString('utf8')).toBe('{"msg":"héllo"}');
  });

  it('decodes a frame fed one byte at a time', () => {
    const frame = encodeFrame({ id: 'a', action: 'health', params: { text: 'é😀' } });
    const decoder = new FrameDecoder();
    const out = decodeAll(
      decoder,
      [...frame].map((byte) => Buffer.from([byte])),
    );
    expect(out).toEqual([{ id: 'a', action: 'health', params: { text: 'é😀' } }]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('decodes many frames in one chunk, and a frame split across chunks', () => {
    const frames = Array.from({ length: 100 }, (_, i) => encodeFrame({ i }));
    const all = Buffer.concat(frames);
    const decoder = new FrameDecoder();
    const cut = all.length - 7;
    const out = decodeAll(decoder, [all.subarray(0, cut), all.subarray(cut)]);
    expect(out.map((m) => m.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('carries a 1 MiB payload intact across 64 KiB chunks', () => {
    const big = 'x'.repeat(1024 * 1024);
    const frame = encodeFrame({ big });
    const decoder = new FrameDecoder();
    const chunks: Buffer[] = [];
    for (let at = 0; at < frame.length; at += 65536) chunks.push(frame.subarray(at, at + 65536));
    const out = decodeAll(decoder, chunks);
    expect(out).toHaveLength(1);
    expect(out[0].big.length).toBe(big.length);
  });

  it('rejects a declared length over the maximum from the header alone, keeping nothing', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(0xffffffff, 0);
    expect(() => decoder.push(header)).toThrow(FrameTooLargeError);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('accepts a frame exactly at the maximum', () => {
    const decoder = new FrameDecoder(12);
    const frame = encodeFrame('0123456789'); // "0123456789" with quotes = 12 bytes
    expect(decodeAll(decoder, [frame])).toEqual(['0123456789']);
  });
});
