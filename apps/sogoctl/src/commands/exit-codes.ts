// Exit codes of every sogoctl command.

/** Clean stop after SIGTERM/SIGINT; `check` found nothing; `status`/`restart` got their answer. */
export const EXIT_OK = 0;
/** A runtime failure: no supervisor answers, problems found by `check`, control socket taken, crash. */
export const EXIT_FAILURE = 1;
/** The configuration is invalid (or the command line is): nothing was started. */
export const EXIT_CONFIG = 2;

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const processIo: Io = { stdout: process.stdout, stderr: process.stderr };

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
