// The open log files of the process, one descriptor per {app, day, type}. When a line for a newer day arrives,
// descriptors of older days are closed once their queued lines are written.
import { join } from 'node:path';
import { type LogType, logFileName } from './file-names.js';
import { LogFile, type WriteStats } from './log-file.js';

export class LogFiles {
  private readonly files = new Map<string, LogFile>();
  private newestDay = '';
  readonly stats: WriteStats = { writes: 0, lines: 0 };

  constructor(private readonly logdir: string) {}

  get openCount(): number {
    return this.files.size;
  }

  /** Whether a file name is currently held open (retention leaves it alone). */
  isOpen(name: string): boolean {
    return this.files.has(name);
  }

  append(app: string, day: string, type: LogType, line: string): Promise<void> {
    if (day > this.newestDay) {
      this.newestDay = day;
      this.retireBefore(day);
    }
    const name = logFileName(app, day, type);
    let file = this.files.get(name);
    if (!file) {
      file = new LogFile(join(this.logdir, name), day, this.stats);
      this.files.set(name, file);
    }
    return file.append(line);
  }

  /** Closes the files of days before `day`; a late line for such a day simply opens its file again. */
  retireBefore(day: string): void {
    for (const [name, file] of this.files) {
      if (file.day >= day) continue;
      this.files.delete(name);
      void file.close();
    }
  }

  /** Closes every descriptor (after its queued lines): the next line of each file opens its path again. */
  async reopen(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.reopen()));
  }

  /** The files whose last write failed, with the error code and since when. */
  problems(): { path: string; error: string; since: string }[] {
    return [...this.files.values()].flatMap((f) => (f.problem ? [{ path: f.path, ...f.problem }] : []));
  }

  /** Writes every queued line and closes every file. */
  async close(): Promise<void> {
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map((f) => f.close()));
  }
}
