// Coalesces the frames written to one socket into few writes (one syscall per batch). A batch is flushed at
// the end of the event-loop turn, or early once it holds FLUSH_FRAMES frames so that the peer can start on
// the first answers while the rest are produced (pipelining between the two processes).
import type { Socket } from 'node:net';

const FLUSH_FRAMES = 16;
const FLUSH_BYTES = 64 * 1024;

export class FrameWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  write(frame: Buffer): void {
    if (!this.scheduled) {
      // First frame of this turn: send it at once (no added latency when idle) and batch what follows.
      this.scheduled = true;
      setImmediate(this.onImmediate);
      if (!this.socket.destroyed) this.socket.write(frame);
      return;
    }
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    if (this.pending.length >= FLUSH_FRAMES || this.pendingBytes >= FLUSH_BYTES) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onImmediate);
    }
  }

  private readonly onImmediate = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes everything queued now; also called before ending the socket. */
  flush(): void {
    if (this.pending.length === 0) return;
    if (this.socket.destroyed) {
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    const data =
      this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.socket.write(data);
  }
}
