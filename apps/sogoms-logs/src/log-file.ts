// One log file opened for appending. Lines queued while a write is in flight (or during the current event-loop
// turn) go out together as one write() of whole lines on an O_APPEND descriptor: on a local file system such a
// write lands atomically at the end of the file, so lines from other callers and from other processes
// appending to the same file are never split or interleaved.
import { type FileHandle, open } from 'node:fs/promises';
import { ErrorCode, SogomsError } from '@sogoms/protocol';

/** Upper bound of one write(): small enough to stay a single, uninterrupted append; a longer line goes alone. */
export const MAX_WRITE_BYTES = 64 * 1024;

interface Pending {
  line: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Counters shared by the files of a process, reported by `health`. */
export interface WriteStats {
  writes: number;
  lines: number;
}

export class LogFile {
  private handle: FileHandle | undefined;
  private queue: Pending[] = [];
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly path: string,
    readonly day: string,
    private readonly stats: WriteStats = { writes: 0, lines: 0 },
  ) {}

  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  /** Resolves once the line (ending with "\n") is in the file. */
  append(line: string): Promise<void> {
    if (this.closed) return Promise.reject(writeError(this.path, 'file closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line: Buffer.from(line), resolve, reject });
      if (!this.busy) {
        this.busy = true;
        // Wait for the rest of this turn so that concurrent callers share the first write.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Writes what is queued, then closes the descriptor; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.idle) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.writeBatch(batch);
    }
    this.busy = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let start = 0;
    try {
      this.handle ??= await open(this.path, 'a', 0o640);
      while (start < batch.length) {
        const end = chunkEnd(batch, start);
        const chunk = batch.slice(start, end);
        await writeAll(
          this.handle,
          chunk.length === 1 ? chunk[0]!.line : Buffer.concat(chunk.map((p) => p.line)),
        );
        this.stats.writes++;
        this.stats.lines += chunk.length;
        for (const p of chunk) p.resolve();
        start = end;
      }
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'write failed';
      for (const p of batch.slice(start)) p.reject(writeError(this.path, reason));
      // Reopen on the next line: the directory or file may have been removed or replaced meanwhile.
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close().catch(() => undefined);
    }
  }
}

/** Index after the last line that fits, with the line at `start` always included. */
function chunkEnd(batch: Pending[], start: number): number {
  let bytes = batch[start]!.line.length;
  let end = start + 1;
  while (end < batch.length && bytes + batch[end]!.line.length <= MAX_WRITE_BYTES) {
    bytes += batch[end]!.line.length;
    end++;
  }
  return end;
}

/** One write() in practice; a short write (disk full, signal) is completed rather than leaving half a line. */
async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}

function writeError(path: string, reason: string): SogomsError {
  return new SogomsError(ErrorCode.LOG_WRITE_ERROR, `cannot write log file (${reason})`, { file: path });
}
