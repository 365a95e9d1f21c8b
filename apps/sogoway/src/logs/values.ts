// Bounds on what the gateway writes to a log (its own logger, sogoms-logs events and error reports): any value
// may come from a client (an email, a URL, a database error quoting a bound value), so strings are clipped and
// structures cut to a few entries, whatever the caller passes.

/** Characters kept of any string written to a log. */
export const LOG_STRING_MAX = 128;
/** Characters kept of a stack trace (its first line, the message, is clipped like any string). */
export const LOG_STACK_MAX = 2_000;
const LOG_ITEMS_MAX = 20; // array elements or object keys kept per level
const LOG_DEPTH_MAX = 4;
const LOG_KEY_MAX = 64;

/** `value` cut to `max` characters, saying how many were left out. */
export function clip(value: string, max = LOG_STRING_MAX): string {
  return value.length <= max ? value : `${value.slice(0, max)}…[+${value.length - max} chars]`;
}

/** A copy of a JSON-like value with every string clipped and every array or object cut to a few entries. */
export function boundValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clip(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= LOG_DEPTH_MAX) return '[…]';
  if (Array.isArray(value)) {
    const out = value.slice(0, LOG_ITEMS_MAX).map((item) => boundValue(item, depth + 1));
    if (value.length > LOG_ITEMS_MAX) out.push(`…[+${value.length - LOG_ITEMS_MAX} items]`);
    return out;
  }
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries.slice(0, LOG_ITEMS_MAX))
    out[clip(key, LOG_KEY_MAX)] = boundValue(item, depth + 1);
  if (entries.length > LOG_ITEMS_MAX) out['…'] = `+${entries.length - LOG_ITEMS_MAX} keys`;
  return out;
}

/** A loggable summary of anything thrown: code, clipped message, clipped stack (none for service errors). */
export function describe(err: unknown): { code?: string; message: string; stack?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const out: { code?: string; message: string; stack?: string } = { message: clip(err.message) };
    if (typeof code === 'string') out.code = clip(code, LOG_KEY_MAX);
    if (err.name !== 'SogomsError' && err.stack) {
      // The stack starts with "Name: message": the message is clipped there too.
      const head = `${err.name}: ${err.message}`;
      const stack = err.stack.startsWith(head)
        ? `${err.name}: ${out.message}${err.stack.slice(head.length)}`
        : err.stack;
      out.stack = clip(stack, LOG_STACK_MAX);
    }
    return out;
  }
  return { message: clip(String(err)) };
}
