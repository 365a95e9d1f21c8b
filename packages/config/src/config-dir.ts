// Which configuration directory a sogoctl command uses when it is not given one: the same order everywhere,
// so that `sogoctl status` works from a checkout running the demo as it does in the container.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Env } from './expand.js';

/** The demo's configuration, relative to the working directory (a checkout of the repository). */
export const DEV_CONFIG_DIR = 'config/dev';
/** The reference copy of the production configuration the release archive installs. */
export const INSTALLED_CONFIG_DIR = '/opt/sogoms/config';

export interface ConfigDirChoice {
  dir: string;
  /** Where it came from, for messages: "-config", "$SOGOMS_CONFIG", "./config/dev", "/opt/sogoms/config". */
  from: string;
}

/**
 * The configuration directory: `-config DIR`, else $SOGOMS_CONFIG, else ./config/dev when it holds a
 * sogoctl.yaml, else /opt/sogoms/config when it does; undefined when none applies.
 */
export function findConfigDir(
  flag: string | undefined,
  opts: { env?: Env; cwd?: string } = {},
): ConfigDirChoice | undefined {
  if (flag !== undefined && flag !== '') return { dir: flag, from: '-config' };
  const env = opts.env ?? process.env;
  const fromEnv = env.SOGOMS_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { dir: fromEnv, from: '$SOGOMS_CONFIG' };
  const dev = resolve(opts.cwd ?? process.cwd(), DEV_CONFIG_DIR);
  if (existsSync(join(dev, 'sogoctl.yaml'))) return { dir: dev, from: `./${DEV_CONFIG_DIR}` };
  if (existsSync(join(INSTALLED_CONFIG_DIR, 'sogoctl.yaml')))
    return { dir: INSTALLED_CONFIG_DIR, from: INSTALLED_CONFIG_DIR };
  return undefined;
}
