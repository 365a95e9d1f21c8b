// Developer-loop issue, item 5: `errors: { detail: true }` in routes/{app}.yaml puts the database's message in
// DB_ERROR bodies. Off unless set; the development config sets it, the production config does not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkConfigTree, loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function treeWith(lines: string): string {
  const tree = prokovTree();
  tree['routes/prokov.yaml'] = `${tree['routes/prokov.yaml']}${lines}\n`;
  return makeTree({ ...tree, 'sogoctl.yaml': 'services:\n  db: { binary: ../bin/sogoms-db }\n' });
}

describe('errors.detail', () => {
  it('is read when set and absent otherwise', () => {
    expect(loadPlatformConfig(treeWith('errors:\n  detail: true')).apps.prokov!.errors).toEqual({
      detail: true,
    });
    expect(loadPlatformConfig(treeWith('')).apps.prokov!.errors).toBeUndefined();
  });

  it('refuses unknown keys and non-boolean values', () => {
    const bad = treeWith('errors:\n  detail: yes-please\n  verbose: true');
    expect(brief(checkConfigTree(bad), bad).join('\n')).toMatch(/errors\.(detail|verbose)/);
  });

  it('the development config opts in, the production config does not', () => {
    const dev = yaml.load(readFileSync(join(ROOT, 'config/dev/routes/prokov.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const prod = yaml.load(readFileSync(join(ROOT, 'config/routes/prokov.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(dev['errors']).toEqual({ detail: true });
    expect(prod['errors']).toBeUndefined();
  });
});
