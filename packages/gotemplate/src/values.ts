// Go semantics for template values coming from JSON-like data: truthiness, printing, HTML escaping.

/** Go's truth: false, 0, nil, and empty strings, arrays and maps are false; everything else is true. */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/**
 * Prints a value like Go's fmt.Print does for decoded JSON ([a b], map[k:v]). null prints as '' rather than
 * Go's "<no value>": a present-but-null field in an e-mail should leave a blank, not a Go artefact.
 */
export function printValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (v instanceof Map) return printEntries([...v.entries()].map(([k, x]) => [String(k), x]));
  if (typeof v === 'object') return printEntries(Object.entries(v));
  return String(v);
}

function printEntries(entries: Array<[string, unknown]>): string {
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([k, x]) => `${k}:${printValue(x)}`).join(' ')}]`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** Escapes & < > " ' the way Go's html/template does. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Own-key lookup on a plain object or Map; `found: false` when the key is absent. */
export function lookupKey(container: unknown, key: string): { found: boolean; value?: unknown } {
  if (container instanceof Map)
    return container.has(key) ? { found: true, value: container.get(key) } : { found: false };
  if (container !== null && typeof container === 'object' && !Array.isArray(container)) {
    if (Object.hasOwn(container, key))
      return { found: true, value: (container as Record<string, unknown>)[key] };
  }
  return { found: false };
}

/** What can be ranged over: arrays by index, maps/objects by sorted key (as Go does). */
export function rangeItems(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return [...v.keys()].sort().map((k) => v.get(k));
  if (v !== null && typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    return Object.keys(obj)
      .sort()
      .map((k) => obj[k]);
  }
  return undefined;
}
