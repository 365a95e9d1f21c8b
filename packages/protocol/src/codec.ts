// Length-prefixed JSON framing (SPEC §2): 4 bytes unsigned big-endian length, then that many bytes of UTF-8 JSON.
import { ErrorCode, SogomsError } from './errors.js';

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const HEADER_BYTES = 4;
/** First body bytes of a skipped oversized frame handed to onOversized: room for an answer's id (≤ 200
 * characters, each up to 6 bytes once escaped) after `{"id":"`. */
export const OVERSIZED_HEAD_BYTES = 2048;
const EMPTY = Buffer.alloc(0);

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

export interface FrameDecoderOptions {
  /**
   * Makes an oversized frame skippable instead of fatal. Called with the first body bytes of a frame declaring
   * more than the maximum (`head`, again each time more of them arrive, up to OVERSIZED_HEAD_BYTES): return true
   * to have the rest of its body read and dropped — never buffered — and the frames after it decoded as usual,
   * false to get the FrameTooLargeError, or undefined to wait for more of the head (false once it is complete).
   * Without it, an oversized header throws at once.
   */
  onOversized?: (declared: number, head: Buffer) => boolean | undefined;
}

/**
 * Splits a byte stream into frame payloads. The declared length is checked before any body byte is kept, and
 * a large body arriving in many chunks is joined once, when complete.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly onOversized: FrameDecoderOptions['onOversized'];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1; // body length of the frame being read, -1 while the header is incomplete
  private skipDeclared = 0; // declared length of the oversized frame being skipped, 0 when none
  private skipLeft = 0; // its body bytes not read yet
  private skipHead: Buffer[] = [];
  private skipHeadBytes = 0;
  private skipDecided = false; // onOversized has agreed to the skip

  constructor(maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES, options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = maxFrameBytes;
    this.onOversized = options.onOversized;
  }

  /**
   * Feeds bytes; returns every payload completed by them (a zero-length frame gives an empty payload). Throws
   * FrameTooLargeError on an oversized header, unless onOversized lets it be skipped.
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.skipDeclared > 0) {
        if (!this.skip()) return out;
        continue;
      }
      if (this.expected < 0) {
        if (this.buffered < HEADER_BYTES) return out;
        const head = this.take(HEADER_BYTES);
        const length = head.readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          if (!this.onOversized) this.fail(length);
          this.skipDeclared = length;
          this.skipLeft = length;
          continue;
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
    return this.buffered + this.skipHeadBytes;
  }

  /** Goes on skipping an oversized frame; true once all of it has been read. */
  private skip(): boolean {
    if (!this.skipDecided) {
      const want = Math.min(OVERSIZED_HEAD_BYTES, this.skipDeclared) - this.skipHeadBytes;
      const n = Math.min(want, this.buffered);
      if (n === 0) return false;
      // Copied: a slice would keep the whole socket chunk alive.
      this.skipHead.push(Buffer.from(this.take(n)));
      this.skipHeadBytes += n;
      this.skipLeft -= n;
      const head = Buffer.concat(this.skipHead, this.skipHeadBytes);
      const verdict = this.onOversized!(this.skipDeclared, head);
      if (verdict === false || (verdict === undefined && n === want)) this.fail(this.skipDeclared);
      if (verdict === undefined) {
        this.skipHead = [head];
        return false;
      }
      this.skipHead = [];
      this.skipHeadBytes = 0;
      this.skipDecided = true;
    }
    const n = Math.min(this.skipLeft, this.buffered);
    this.drop(n);
    this.skipLeft -= n;
    if (this.skipLeft > 0) return false;
    this.skipDeclared = 0;
    this.skipDecided = false;
    return true;
  }

  private fail(declared: number): never {
    this.chunks = [];
    this.buffered = 0;
    this.skipDeclared = 0;
    this.skipLeft = 0;
    this.skipHead = [];
    this.skipHeadBytes = 0;
    this.skipDecided = false;
    throw new FrameTooLargeError(declared, this.maxFrameBytes);
  }

  private take(n: number): Buffer {
    // A zero-length frame: there may be no chunk left to slice.
    if (n === 0) return EMPTY;
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

  /** Discards n buffered bytes without copying them. */
  private drop(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length <= n) {
        this.chunks.shift();
        n -= first.length;
      } else {
        this.chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }
}
