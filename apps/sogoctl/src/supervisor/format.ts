// Small formatters shared by the supervisor's log messages.
import type { ExitInfo } from './spawn.js';

/** 1500 → "1500ms", 60000 → "60s": durations in messages, as they are written in sogoctl.yaml. */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** "code 0", "signal SIGKILL", or why it never ran. */
export function describeExit(info: ExitInfo | undefined): string {
  if (!info) return 'did not exit';
  if (info.error) return info.error;
  return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
}
