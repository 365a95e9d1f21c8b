// The `cors:` section of routes/{app}.yaml: which browser origins may call the app's API from another site
// (the gateway answers their preflight OPTIONS without a token, apps/sogoway/src/http/cors.ts).

import type { Section } from './schema.js';
import type { CorsSettings } from './types.js';

/** How long a browser may cache a preflight answer (Access-Control-Max-Age) unless `max_age` says. */
export const DEFAULT_CORS_MAX_AGE_MS = 600_000;
/** Browsers cap the preflight cache anyway (Chromium: 2 h, Firefox: 24 h). */
const MAX_CORS_MAX_AGE_MS = 86_400_000;
export const CORS_KEYS = ['origins', 'credentials', 'max_age'];
// scheme://host[:port], as a browser writes its Origin header: no path, no trailing slash.
const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:\d{1,5})?$/;

/** Reads `cors:`; undefined when the section is absent (no cross-origin access, OPTIONS is not special). */
export function readCors(s: Section): CorsSettings | undefined {
  if (!s.present) return undefined;
  const origins: string[] = [];
  for (const { value, path } of s.stringList('origins', { required: true })) {
    const origin = value.trim().toLowerCase();
    if (origin !== '*' && !ORIGIN.test(origin))
      s.report.add(
        path,
        `expected an origin like https://app.example.com or http://localhost:5173 (scheme, host and port only) or "*" (got ${s.report.quote(path, value)})`,
      );
    else if (origins.includes(origin)) s.report.add(path, `duplicate origin ${s.report.quote(path, origin)}`);
    else origins.push(origin);
  }
  if (origins.includes('*') && origins.length > 1)
    s.report.add(s.at('origins'), '"*" allows every origin: list it alone');
  const credentials = s.bool('credentials', false);
  if (credentials && origins.includes('*'))
    s.report.add(
      s.at('credentials'),
      'cannot be true with origins "*" (browsers refuse it): list the origins',
    );
  const maxAgeMs = s.duration('max_age', DEFAULT_CORS_MAX_AGE_MS, 0);
  if (maxAgeMs > MAX_CORS_MAX_AGE_MS) s.report.add(s.at('max_age'), 'must be at most 24h');
  return { origins, credentials, maxAgeS: Math.floor(Math.min(maxAgeMs, MAX_CORS_MAX_AGE_MS) / 1000) };
}
