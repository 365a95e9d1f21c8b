import type { FileReport } from './errors.js';
import { type Env, expandTree } from './expand.js';
import { readYamlFile } from './yaml-file.js';

/** Options every loader takes; `env` replaces process.env (tests). Only this package reads process.env. */
export interface LoadOptions {
  env?: Env;
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
