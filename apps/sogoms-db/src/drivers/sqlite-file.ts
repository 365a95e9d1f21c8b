// Which file the SQLite handle writes into (issue 11). A handle keeps writing into a file deleted or replaced
// under it, and every such write is lost; so the driver records the (device, inode) of the file and of its
// -wal journal at open and compares them with what the path holds now: one stat (a few µs) before each
// statement, and after each write before it is acknowledged.
import { statSync } from 'node:fs';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type BetterSqlite3 from 'better-sqlite3';

export interface FileId {
  dev: number;
  ino: number;
}

/** What the path holds compared with the file the handle has open. */
export type FileState = 'same' | 'missing' | 'replaced';

/** The identity of the file at the path, or undefined when there is none. */
export function fileIdOf(path: string): FileId | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino } : undefined;
}

/** Whether the path still holds the file the handle opened. */
export function fileStateOf(path: string, opened: FileId): FileState {
  const now = fileIdOf(path);
  if (!now) return 'missing';
  return now.dev === opened.dev && now.ino === opened.ino ? 'same' : 'replaced';
}

/** The -wal journal beside a database file (SQLite names it so in WAL mode). */
export const walPathOf = (file: string): string => `${file}-wal`;

/** The answer while the configured file is missing (and `database.create` is off) or was just replaced. */
export function fileLost(state: Exclude<FileState, 'same'>): SogomsError {
  return new SogomsError(ErrorCode.DB_UNAVAILABLE, `database file ${state}`);
}

/** The answer to a write whose -wal journal was deleted under it and could not be saved into the file. */
export function walLost(): SogomsError {
  return new SogomsError(ErrorCode.DB_UNAVAILABLE, 'database -wal file lost');
}

/** Copies the -wal into the database file and empties it; false when another connection kept frames back. */
export function checkpoint(db: BetterSqlite3.Database): boolean {
  try {
    const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    return r !== undefined && r.busy === 0 && r.log === r.checkpointed;
  } catch {
    return false;
  }
}
