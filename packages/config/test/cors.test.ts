// `cors:` in routes/{app}.yaml (which browser origins may call the app's API), checked like every key by
// loadPlatformConfig and by `sogoctl check`.
import { describe, expect, it } from 'vitest';
import { checkConfigTree, DEFAULT_CORS_MAX_AGE_MS, loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree } from './helpers.js';

/** The prokov tree with these top-level lines added to routes/prokov.yaml. */
function treeWith(lines: string): string {
  const tree = prokovTree();
  tree['routes/prokov.yaml'] = `${tree['routes/prokov.yaml']}${lines}\n`;
  return makeTree({ ...tree, 'sogoctl.yaml': 'services:\n  db: { binary: ../bin/sogoms-db }\n' });
}

describe('cors', () => {
  it('is absent by default, and reads origins (lower-cased), credentials and max_age', () => {
    expect(loadPlatformConfig(treeWith('')).apps.prokov!.cors).toBeUndefined();
    const dir = treeWith(
      'cors:\n  origins: [https://App.Example.com, "http://localhost:5173"]\n  credentials: true\n  max_age: 1h',
    );
    expect(loadPlatformConfig(dir).apps.prokov!.cors).toEqual({
      origins: ['https://app.example.com', 'http://localhost:5173'],
      credentials: true,
      maxAgeS: 3600,
    });
    const star = loadPlatformConfig(treeWith('cors: { origins: ["*"] }')).apps.prokov!.cors;
    expect(star).toEqual({ origins: ['*'], credentials: false, maxAgeS: DEFAULT_CORS_MAX_AGE_MS / 1000 });
  });

  it('sogoctl check reports bad origins, "*" mixed or with credentials, and unknown keys', () => {
    const bad = treeWith(
      'cors:\n  origins: [app.example.com, "https://a.example.com/", https://a.example.com:99999x, "*", https://b.test]\n  credentials: true\n  max_age: 48h\n  methods: [GET]',
    );
    expect(brief(checkConfigTree(bad), bad)).toEqual([
      'routes/prokov.yaml cors.methods: unknown key (expected one of: origins, credentials, max_age)',
      'routes/prokov.yaml cors.origins[0]: expected an origin like https://app.example.com or http://localhost:5173 (scheme, host and port only) or "*" (got "app.example.com")',
      'routes/prokov.yaml cors.origins[1]: expected an origin like https://app.example.com or http://localhost:5173 (scheme, host and port only) or "*" (got "https://a.example.com/")',
      'routes/prokov.yaml cors.origins[2]: expected an origin like https://app.example.com or http://localhost:5173 (scheme, host and port only) or "*" (got "https://a.example.com:99999x")',
      'routes/prokov.yaml cors.origins: "*" allows every origin: list it alone',
      'routes/prokov.yaml cors.credentials: cannot be true with origins "*" (browsers refuse it): list the origins',
      'routes/prokov.yaml cors.max_age: must be at most 24h',
    ]);
    const empty = treeWith('cors: { origins: [] }');
    expect(brief(checkConfigTree(empty), empty)).toEqual([
      'routes/prokov.yaml cors.origins: must not be empty',
    ]);
  });
});
