// Length-prefixed JSON framing (SPEC §2): 4 bytes unsigned big-endian length, then that many bytes of UTF-8 JSON.
import { ErrorCode, SogomsError } from './errors.js';

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const HEADER_BYTES = 4;

/** Encodes one message as a frame. */
export function encodeFrame(message: unknown): Buffer {
  const json = JSON.stringify(message);
  const length = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  frame.writeUInt32BE(length, 0);
  frame.write(json, HEADER_BYTES, length, 'utf8');
  return frame;
}

/** Thrown by FrameDecoder when a header declares more than the maximum; the body is never buffered. */
export class FrameTooLargeError extends SogomsError {
  constructor(declared: number, max: number) {
    super(ErrorCode.PROTOCOL_ERROR, `frame of ${declared} bytes exceeds the maximum of ${max}`, {
      declared,
      max,
    });
  }
}

/**
 * Splits a byte stream into frame payloads. The declared length is checked before any body byte is kept, and
 * a large body arriving in many chunks is joined once, when complete.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1; // body length of the frame being read, -1 while the header is incomplete

  constructor(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds bytes; returns every payload completed by them. Throws FrameTooLargeError on an oversized header. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < HEADER_BYTES) return out;
        const head = this.take(HEADER_BYTES);
        const length = head.readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          this.chunks = [];
          this.buffered = 0;
          throw new FrameTooLargeError(length, this.maxFrameBytes);
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) return out;
      out.push(this.take(this.expected));
      this.expected = -1;
    }
  }

  /** Bytes held while waiting for the rest of a frame (for tests and memory checks). */
  get pendingBytes(): number {
    return this.buffered;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let result: Buffer;
    if (first.length >= n) {
      result = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.chunks, this.buffered);
      result = joined.subarray(0, n);
      this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.buffered -= n;
    return result;
  }
}
