import { child, type FileReport, index } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces ${NAME} and ${NAME:-default} in every string of a parsed YAML tree (keys untouched). An unset NAME
 * without a default is a problem naming the variable; `:-` also applies when NAME is set but empty, as in sh.
 */
export function expandTree(value: unknown, env: Env, report: FileReport, path = ''): unknown {
  if (typeof value === 'string') return expandString(value, env, report, path);
  if (Array.isArray(value)) return value.map((item, i) => expandTree(item, env, report, index(path, i)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = expandTree(item, env, report, child(path, key));
    return out;
  }
  return value;
}

function expandString(text: string, env: Env, report: FileReport, path: string): string {
  if (!text.includes('${')) return text;
  report.expanded.add(path);
  return text.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => {
    const current = env[name];
    if (fallback !== undefined) return current === undefined || current === '' ? fallback : current;
    if (current === undefined) {
      report.add(path, `environment variable ${name} is not set (use \${${name}:-default} for a default)`);
      report.unset.add(path);
      return '';
    }
    return current;
  });
}
