// Go-style flags: the original binaries take `-config DIR`; commander only knows `--config`. Every single-dash
// word flag (two letters or more) is rewritten to its double-dash form before commander sees it.

const SINGLE_DASH_LONG = /^-[A-Za-z][A-Za-z0-9-]+(=.*)?$/s;

/** Rewrites `-config DIR` / `-config=DIR` to `--config …`; one-letter flags and anything after `--` are kept. */
export function normaliseArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  let passthrough = false;
  for (const arg of args) {
    if (passthrough || arg === '--') {
      passthrough = true;
      out.push(arg);
    } else {
      out.push(SINGLE_DASH_LONG.test(arg) ? `-${arg}` : arg);
    }
  }
  return out;
}
