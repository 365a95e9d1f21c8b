// Coalesces the frames written to one socket into few writes (one syscall per batch). Frames are queued as
// JSON text and encoded into one buffer at flush time, so a frame costs no buffer of its own. A batch is
// flushed in a microtask — after every frame produced by the current callback and the promise reactions it
// triggered, before the event loop goes on, so a lone request waits for nothing — or early once it holds
// FLUSH_FRAMES frames, so that the peer can start on the first answers while the rest are produced.
// A frame over the maximum is never written: the peer's decoder would refuse it and, on the server side, drop
// the whole connection with every other request in flight on it. The caller is told and answers otherwise.
import type { Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES } from './codec.js';

const FLUSH_FRAMES = 16;
const FLUSH_BYTES = 64 * 1024;
const HEADER_BYTES = 4;

export class FrameWriter {
  private texts: string[] = [];
  private lengths: number[] = [];
  private pendingBytes = 0;
  private scheduled = false;

  constructor(
    private readonly socket: Socket,
    readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
  ) {}

  /** Queues one frame whose payload is the given JSON text; false, with nothing queued, if it is over the max. */
  writeJson(json: string): boolean {
    // UTF-8 takes at least a byte per UTF-16 unit: a text longer than the max is refused without counting bytes.
    if (json.length > this.maxFrameBytes) return false;
    const length = Buffer.byteLength(json);
    if (length > this.maxFrameBytes) return false;
    this.texts.push(json);
    this.lengths.push(length);
    this.pendingBytes += HEADER_BYTES + length;
    if (this.texts.length >= FLUSH_FRAMES || this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.onScheduled);
    }
    return true;
  }

  private readonly onScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes everything queued now; also called before ending the socket. */
  flush(): void {
    const count = this.texts.length;
    if (count === 0) return;
    if (this.socket.destroyed) {
      this.reset();
      return;
    }
    const out = Buffer.allocUnsafe(this.pendingBytes);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const length = this.lengths[i]!;
      out.writeUInt32BE(length, at);
      out.write(this.texts[i]!, at + HEADER_BYTES, length, 'utf8');
      at += HEADER_BYTES + length;
    }
    this.reset();
    this.socket.write(out);
  }

  private reset(): void {
    this.texts = [];
    this.lengths = [];
    this.pendingBytes = 0;
  }
}
