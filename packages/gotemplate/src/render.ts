import type { Template } from './ast.js';
import { execute, type RenderOptions } from './exec.js';
import { parseTemplate } from './parser.js';

/** Bound on the source-string cache: templates come from config files, so a few hundred is plenty. */
export const TEMPLATE_CACHE_SIZE = 500;

const cache = new Map<string, Template>();

/** Parses `source` once and reuses the result (least recently used entries are evicted). */
export function compileCached(source: string): Template {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const t = parseTemplate(source);
  cache.set(source, t);
  if (cache.size > TEMPLATE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return t;
}

/**
 * Renders a template (parsed, or a source string parsed once and cached) with `data` as dot and `$`.
 * Throws TemplateSyntaxError for a bad source, SogomsError(TEMPLATE_ERROR) for a missing field; never partial.
 */
export function renderTemplate(t: Template | string, data: unknown, opts: RenderOptions = {}): string {
  return execute(typeof t === 'string' ? compileCached(t) : t, data, opts);
}
