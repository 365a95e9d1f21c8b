// Byte-level unit tests of the frame decoder: leftovers after a frame joined from several chunks, zero-length
// frames, what is held in memory at each step, and the skipping of oversized frames. Table-driven; each row
// pins a behaviour mutation testing (`pnpm test:mutation protocol`, docs/MUTATION.md) found unpinned.
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameTooLargeError, OVERSIZED_HEAD_BYTES } from '../src/codec.js';
import { ErrorCode } from '../src/errors.js';

const header = (length: number): Buffer => {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(length, 0);
  return h;
};
const text = (payloads: Buffer[]): string[] => payloads.map((p) => p.toString('utf8'));

/** Feeds `chunks` one by one; per chunk, the payloads it completed and the bytes held afterwards. */
function feed(decoder: FrameDecoder, chunks: Buffer[]): Array<[string[], number]> {
  return chunks.map((chunk) => [text(decoder.push(chunk)), decoder.pendingBytes]);
}

describe('FrameDecoder: chunk boundaries', () => {
  const a = encodeFrame('alpha'); // 4 + 7 bytes
  const b = encodeFrame({ b: 'é' }); // 4 + 10 bytes
  const cases: Array<[string, Buffer[], Array<[string[], number]>]> = [
    [
      'a frame joined from two chunks, the second also starting the next frame',
      [a.subarray(0, 6), Buffer.concat([a.subarray(6), b.subarray(0, 3)]), b.subarray(3)],
      [
        [[], 2],
        [['"alpha"'], 3],
        [['{"b":"é"}'], 0],
      ],
    ],
    [
      'a body joined from three chunks, the last carrying a whole second frame',
      [a.subarray(0, 5), a.subarray(5, 8), Buffer.concat([a.subarray(8), b])],
      [
        [[], 1],
        [[], 4],
        [['"alpha"', '{"b":"é"}'], 0],
      ],
    ],
    [
      'a header split over chunks, then a chunk ending exactly at the frame end',
      [a.subarray(0, 2), a.subarray(2, 4), a.subarray(4)],
      [
        [[], 2],
        [[], 0],
        [['"alpha"'], 0],
      ],
    ],
    [
      'zero-length frames alone, in a row, and before a frame',
      [header(0), Buffer.concat([header(0), header(0)]), Buffer.concat([header(0), a])],
      [
        [[''], 0],
        [['', ''], 0],
        [['', '"alpha"'], 0],
      ],
    ],
    [
      'a zero-length frame after a frame completed by the same chunk',
      [
        a.subarray(0, 9),
        Buffer.concat([a.subarray(9), header(0), header(0).subarray(0, 1)]),
        header(0).subarray(1),
      ],
      [
        [[], 5],
        [['"alpha"', ''], 1],
        [[''], 0],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, chunks, expected) => {
    expect(feed(new FrameDecoder(), chunks)).toEqual(expected);
  });

  it('gives a zero-length payload as an empty buffer', () => {
    const [payload] = new FrameDecoder().push(header(0));
    expect(Buffer.isBuffer(payload)).toBe(true);
    expect(payload!.length).toBe(0);
  });
});

describe('FrameDecoder: oversized frames', () => {
  const next = encodeFrame('next'); // 4 + 6 bytes

  it('without onOversized, refuses from the header alone, with the sizes in the error', () => {
    const decoder = new FrameDecoder(10);
    let error: unknown;
    try {
      decoder.push(Buffer.concat([header(11), Buffer.from('abc')]));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({
      code: ErrorCode.PROTOCOL_ERROR,
      message: 'frame of 11 bytes exceeds the maximum of 10',
      data: { declared: 11, max: 10 },
    });
    expect(decoder.pendingBytes).toBe(0);
    // Nothing of the refused frame is left behind: a fresh frame decodes.
    expect(text(decoder.push(encodeFrame('ok')))).toEqual(['"ok"']);
  });

  it('skips a frame the callback agrees to skip, never buffering its body, then decodes the next', () => {
    const heads: Array<[number, string]> = [];
    const decoder = new FrameDecoder(8, {
      onOversized: (declared, head) => {
        heads.push([declared, head.toString()]);
        return true;
      },
    });
    const body = Buffer.from('0123456789abcdef'); // 16 bytes > 8
    expect(
      feed(decoder, [
        Buffer.concat([header(16), body.subarray(0, 3)]),
        body.subarray(3, 10),
        Buffer.concat([body.subarray(10), next]),
      ]),
    ).toEqual([
      [[], 0],
      [[], 0],
      [['"next"'], 0],
    ]);
    expect(heads).toEqual([[16, '012']]);
  });

  it('asks again as more of the head arrives, up to the whole body when it is shorter than the head size', () => {
    const heads: string[] = [];
    const decoder = new FrameDecoder(6, {
      onOversized: (_declared, head) => {
        heads.push(head.toString());
        return head.length >= 6 ? true : undefined;
      },
    });
    expect(
      feed(decoder, [
        header(8),
        Buffer.from('ab'),
        Buffer.from('cdef'),
        Buffer.concat([Buffer.from('gh'), next]),
      ]),
    ).toEqual([
      [[], 0],
      [[], 2],
      [[], 0],
      [['"next"'], 0],
    ]);
    expect(heads).toEqual(['ab', 'abcdef']);
  });

  it('refuses once the whole head is there and the callback still has no answer', () => {
    const seen: number[] = [];
    const decoder = new FrameDecoder(4, {
      onOversized: (_declared, head) => {
        seen.push(head.length);
        return undefined;
      },
    });
    decoder.push(header(6));
    decoder.push(Buffer.from('abc'));
    expect(() => decoder.push(Buffer.from('def'))).toThrow('frame of 6 bytes exceeds the maximum of 4');
    expect(seen).toEqual([3, 6]);
    expect(decoder.pendingBytes).toBe(0);
    expect(text(decoder.push(encodeFrame(1)))).toEqual(['1']);
  });

  it(`hands at most ${OVERSIZED_HEAD_BYTES} head bytes, then refuses when still undecided`, () => {
    const seen: number[] = [];
    const decoder = new FrameDecoder(4, {
      onOversized: (_declared, head) => {
        seen.push(head.length);
        return undefined;
      },
    });
    decoder.push(Buffer.concat([header(100_000), Buffer.alloc(1000)]));
    expect(() => decoder.push(Buffer.alloc(5000))).toThrow(FrameTooLargeError);
    expect(seen).toEqual([1000, OVERSIZED_HEAD_BYTES]);
    expect(OVERSIZED_HEAD_BYTES).toBe(2048);
  });

  it('refuses at once when the callback says false, and starts clean afterwards', () => {
    const decoder = new FrameDecoder(4, { onOversized: () => false });
    expect(() => decoder.push(Buffer.concat([header(9), Buffer.from('abc')]))).toThrow(FrameTooLargeError);
    expect(decoder.pendingBytes).toBe(0);
    expect(text(decoder.push(encodeFrame(2)))).toEqual(['2']);
  });

  it('skips two oversized frames in a row, a large body dropped chunk by chunk', () => {
    let calls = 0;
    const decoder = new FrameDecoder(6, {
      onOversized: () => {
        calls++;
        return true;
      },
    });
    const big = Buffer.alloc(10_000, 0x61);
    const stream = Buffer.concat([header(10_000), big, header(7), Buffer.from('1234567'), next]);
    const out: string[] = [];
    let maxHeld = 0;
    for (let at = 0; at < stream.length; at += 999) {
      out.push(...text(decoder.push(stream.subarray(at, at + 999))));
      maxHeld = Math.max(maxHeld, decoder.pendingBytes);
    }
    expect(out).toEqual(['"next"']);
    expect(calls).toBe(2);
    expect(maxHeld).toBeLessThan(999);
  });
});

describe('encodeFrame', () => {
  it('counts the length in UTF-8 bytes, not characters', () => {
    const frame = encodeFrame('é😀');
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, 0, 8]);
    expect(frame.subarray(4).toString('utf8')).toBe('"é😀"');
  });
});
