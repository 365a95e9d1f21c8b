// Version and build time, injected by scripts/build.mjs; when running from sources (tests) VERSION is read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

declare const __SOGOMS_VERSION__: string | undefined;
declare const __SOGOMS_BUILD_TIME__: string | undefined;

function fromSources(): string {
  try {
    return readFileSync(fileURLToPath(new URL('../../../VERSION', import.meta.url)), 'utf8').trim();
  } catch {
    return '0.0.0-dev';
  }
}

export const VERSION: string = typeof __SOGOMS_VERSION__ === 'string' ? __SOGOMS_VERSION__ : fromSources();
export const BUILD_TIME: string = typeof __SOGOMS_BUILD_TIME__ === 'string' ? __SOGOMS_BUILD_TIME__ : 'dev';

/** The line every binary prints for --version. */
export function versionLine(binary: string): string {
  return `${binary} ${VERSION} (built ${BUILD_TIME})`;
}
