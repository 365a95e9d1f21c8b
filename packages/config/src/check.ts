import { ignoredConfigFiles, readPlatformConfig } from './platform.js';
import { readSogoctlConfig } from './sogoctl.js';
import type { LoadOptions } from './tree.js';
import type { ConfigProblem } from './types.js';

/** Every problem of a config tree: sogoctl.yaml, routes, queries and emails (for `sogoctl check`). */
export function checkConfigTree(dir: string, opts?: LoadOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  readSogoctlConfig(dir, problems, opts);
  readPlatformConfig(dir, problems, opts);
  return problems;
}

/** Files of the tree the loaders skip (`notes.yml`, a README): warnings, not problems (for `sogoctl check`). */
export function checkConfigWarnings(dir: string): ConfigProblem[] {
  return ignoredConfigFiles(dir);
}
