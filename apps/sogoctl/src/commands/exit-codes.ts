// Exit codes of every sogoctl command, and how a command reports a call that failed.
import { ErrorCode, SogomsError } from '@sogoms/protocol';

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

/**
 * Reports a failed call to a process over its socket: the process's own refusal as it said it, or `silence`
 * ("no supervisor answers") on `socket` when it is down or too slow.
 */
export function reportCallError(err: unknown, socket: string, io: Io, silence: string): number {
  if (
    err instanceof SogomsError &&
    err.code !== ErrorCode.SERVICE_UNAVAILABLE &&
    err.code !== ErrorCode.TIMEOUT
  )
    io.stderr.write(`sogoctl: ${err.message} (${err.code})\n`);
  else io.stderr.write(`sogoctl: ${silence} on ${socket}: ${errorText(err)}\n`);
  return EXIT_FAILURE;
}
