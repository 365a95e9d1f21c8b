import type { AppCache } from './app-cache.js';
import type { FileReport } from './errors.js';
import { type Env, expandTree } from './expand.js';
import { readYamlFile } from './yaml-file.js';

/** The folders of the tree beside routes/ (always read): each service reads only the ones it uses. */
export type ConfigPart = 'queries' | 'emails' | 'cron' | 'schema';
export const ALL_CONFIG_PARTS: readonly ConfigPart[] = ['queries', 'emails', 'cron', 'schema'];

/** Options every loader takes; `env` replaces process.env (tests). Only this package reads process.env. */
export interface LoadOptions {
  env?: Env;
  /** The folders read besides routes/ (default: all). queries/ and cron/ name templates: emails/ comes with them. */
  parts?: readonly ConfigPart[];
  /** Per-app results kept from one load to the next (reloads): an unchanged app is not read again. */
  cache?: AppCache;
}

/** The folders a load reads: `parts` (default all), with emails/ whenever queries/ or cron/ is read. */
export function partsOf(opts: Pick<LoadOptions, 'parts'> | undefined): ReadonlySet<ConfigPart> {
  const parts = new Set<ConfigPart>(opts?.parts ?? ALL_CONFIG_PARTS);
  if (parts.has('queries') || parts.has('cron')) parts.add('emails');
  // schema/{app}.yaml generates resources: whoever serves queries reads it too.
  if (parts.has('queries')) parts.add('schema');
  return parts;
}

/** The folders a reloader watches for a service reading `parts`. */
export function watchedFolders(parts: readonly ConfigPart[] | undefined): string[] {
  return ['routes', ...partsOf({ parts })];
}

export function envOf(opts: LoadOptions | undefined): Env {
  return opts?.env ?? process.env;
}

/** A YAML file parsed and ${VAR}-expanded; undefined after a syntax error (already reported). */
export function loadTree(report: FileReport, env: Env): { value: unknown } | undefined {
  const parsed = readYamlFile(report);
  if (!parsed.ok) return undefined;
  return { value: expandTree(parsed.value, env, report) };
}
