// One log file opened for appending. Lines queued while a write is in flight (or during the current event-loop
// turn) go out together as one write() of whole lines on an O_APPEND descriptor: on a local file system such a
// write lands atomically at the end of the file, so lines from other callers and from other processes
// appending to the same file are never split or interleaved.
// Before each write the path is checked against the open descriptor: a file renamed or deleted by log rotation
// (or a directory replaced) is closed and the path opened again, so no line goes to a file nobody reads.
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode, SogomsError } from '@sogoms/protocol';

/** Mode of every log file: owner read/write, group read, nothing for others (set on existing files too). */
export const LOG_FILE_MODE = 0o640;

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
  /** Device and inode of the open descriptor, compared with the path's before each write. */
  private identity: { dev: bigint; ino: bigint } | undefined;
  private reopenRequested = false;
  private queue: Pending[] = [];
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** Error code of the last failed write, cleared by the next successful one (reported by `health`). */
  problem: { error: string; since: string } | undefined;

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
    await this.closeHandle();
  }

  /**
   * Closes the descriptor now if nothing is queued (releasing a rotated file), else before the next write; the
   * next line opens the path again.
   */
  async reopen(): Promise<void> {
    this.reopenRequested = true;
    if (this.idle) await this.closeHandle();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.writeBatch(batch);
    }
    // A reopen asked for while writing: release the (possibly rotated) file now rather than at the next line.
    if (this.reopenRequested) await this.closeHandle();
    this.busy = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let start = 0;
    try {
      const handle = await this.openHandle();
      while (start < batch.length) {
        const end = chunkEnd(batch, start);
        const chunk = batch.slice(start, end);
        await writeAll(handle, chunk.length === 1 ? chunk[0]!.line : Buffer.concat(chunk.map((p) => p.line)));
        this.stats.writes++;
        this.stats.lines += chunk.length;
        for (const p of chunk) p.resolve();
        start = end;
      }
      this.problem = undefined;
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'write failed';
      this.problem ??= { error: reason, since: new Date().toISOString() };
      for (const p of batch.slice(start)) p.reject(writeError(this.path, reason));
      // Reopen on the next line: the directory or file may have been removed or replaced meanwhile.
      await this.closeHandle();
    }
  }

  /** The descriptor to write to: the open one if the path still names its file, else the path opened anew. */
  private async openHandle(): Promise<FileHandle> {
    if (this.handle && (this.reopenRequested || !(await this.stillAtPath()))) await this.closeHandle();
    this.reopenRequested = false;
    if (this.handle) return this.handle;
    const handle = await openAppend(this.path);
    try {
      const st = await handle.stat({ bigint: true });
      // An existing file keeps its mode on open(): a file created 0644 (older version, another tool) is fixed.
      // Not being its owner (EPERM) must not stop the lines from being appended.
      if ((Number(st.mode) & 0o777) !== LOG_FILE_MODE)
        await handle.chmod(LOG_FILE_MODE).catch(() => undefined);
      this.identity = { dev: st.dev, ino: st.ino };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
    this.handle = handle;
    return handle;
  }

  /** Whether the path still names the open file (false once rotation renamed or deleted it). */
  private async stillAtPath(): Promise<boolean> {
    const st = await stat(this.path, { bigint: true }).catch(() => undefined);
    return st !== undefined && st.dev === this.identity?.dev && st.ino === this.identity.ino;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.identity = undefined;
    await handle?.close().catch(() => undefined);
  }
}

/** Opens for appending, creating the file with LOG_FILE_MODE and, if it was removed, the directory. */
async function openAppend(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'a', LOG_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(path), { recursive: true });
    return await open(path, 'a', LOG_FILE_MODE);
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
