// Many tenants: a reload reads again only the app whose files changed (the others keep their very same frozen
// AppConfig), and each service loads only the folders it uses.
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppCache, LastGoodConfig, loadPlatformConfig } from '../src/index.js';
import { treeSignature } from '../src/watch-roots.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

/** prokov plus a copy of it named `other` (own host, own queries and emails folders). */
function twoApps(): Record<string, string> {
  const files = prokovTree();
  for (const [path, text] of Object.entries(files)) {
    if (!/^(routes|queries|emails)\/prokov/.test(path)) continue;
    const copy = path.replace(/prokov/, 'other');
    files[copy] =
      path === 'routes/prokov.yaml'
        ? text.replace('app: prokov', 'app: other').replace(/hosts: .*/, 'hosts: [other.example.com]')
        : text;
  }
  return files;
}

/** Rewrites a file with new content and a later mtime (the test does not depend on the clock's resolution). */
function edit(dir: string, rel: string, change: (text: string) => string): void {
  const file = join(dir, rel);
  writeFileSync(file, change(readFileSync(file, 'utf8')));
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
}

describe('per-app reload', () => {
  it('an edited query file reloads only its app: the other app keeps the very same config objects', () => {
    const dir = makeTree(twoApps());
    const lastGood = new LastGoodConfig({ dir, file: join(dir, 'last-good.json') });
    const first = lastGood.start();
    edit(dir, 'queries/prokov/tags.yaml', (t) =>
      t.replace('SELECT id, name FROM tags', 'SELECT id FROM tags'),
    );
    const second = lastGood.load();
    expect(second).not.toBe(first);
    expect(second.apps.other).toBe(first.apps.other);
    expect(second.apps.other!.resources.projects).toBe(first.apps.other!.resources.projects);
    expect(second.apps.prokov).not.toBe(first.apps.prokov);
    expect(second.apps.prokov!.resources.tags!.list!.query).toBe('SELECT id FROM tags');
    expect(Object.isFrozen(second.apps.prokov!.resources.tags)).toBe(true);
  });

  it('a new template, a removed query file or a changed secret file each reload their app', () => {
    const dir = makeTree(twoApps());
    const cache = createAppCache();
    const first = loadPlatformConfig(dir, { cache });
    writeFileSync(join(dir, 'emails/other/hello.yaml'), 'subject: Hi\nbody: "Hello {{.Name}}"\n');
    const second = loadPlatformConfig(dir, { cache });
    expect(second.apps.other).not.toBe(first.apps.other);
    expect(Object.keys(second.apps.other!.emails)).toContain('hello');
    expect(second.apps.prokov).toBe(first.apps.prokov);

    writeFileSync(
      join(dir, 'queries/other/notes.yaml'),
      'list:\n  query: SELECT id FROM notes\n  filters: { default: "" }\n',
    );
    expect(Object.keys(loadPlatformConfig(dir, { cache }).apps.other!.resources)).toContain('notes');
    rmSync(join(dir, 'queries/other/notes.yaml'));
    const third = loadPlatformConfig(dir, { cache });
    expect(Object.keys(third.apps.other!.resources)).not.toContain('notes');
    expect(third.apps.prokov).toBe(first.apps.prokov);

    // Both apps read secrets/jwt: a rotated secret reaches both.
    edit(dir, 'secrets/jwt', () => 'rotated-secret-0123456789abcdef-0123456789\n');
    const fourth = loadPlatformConfig(dir, { cache });
    expect(fourth.apps.prokov!.auth.jwtSecret).toBe('rotated-secret-0123456789abcdef-0123456789');
    expect(fourth.apps.other!.auth.jwtSecret).toBe('rotated-secret-0123456789abcdef-0123456789');
  });

  it('an app refused for a problem is read again once fixed; the valid app stays cached through the failure', () => {
    const dir = makeTree(twoApps());
    const cache = createAppCache();
    const first = loadPlatformConfig(dir, { cache });
    edit(dir, 'queries/prokov/tags.yaml', (t) => t.replace('list:', 'lst:'));
    const refused = brief(
      problemsOf(() => loadPlatformConfig(dir, { cache })),
      dir,
    );
    expect(refused[0]).toMatch(/^queries\/prokov\/tags.yaml lst: unknown key/);
    expect(refused.join('\n')).not.toContain('other');
    edit(dir, 'queries/prokov/tags.yaml', (t) => t.replace('lst:', 'list:'));
    const fixed = loadPlatformConfig(dir, { cache });
    expect(fixed.apps.other).toBe(first.apps.other);
    expect(fixed.apps.prokov!.resources.tags!.list).toBeDefined();
  });

  it('the last good snapshot still holds the files of the apps a reload did not read again', () => {
    const dir = makeTree(twoApps());
    const file = join(dir, 'last-good.json');
    const lastGood = new LastGoodConfig({ dir, file });
    lastGood.commit(lastGood.start());
    edit(dir, 'queries/prokov/tags.yaml', (t) =>
      t.replace('SELECT id, name FROM tags', 'SELECT id FROM tags'),
    );
    lastGood.commit(lastGood.load());
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, string> };
    expect(Object.keys(snapshot.files)).toContain(join(dir, 'queries/other/projects.yaml'));
    expect(Object.keys(snapshot.files)).toContain(join(dir, 'routes/other.yaml'));
    expect(snapshot.files[join(dir, 'queries/prokov/tags.yaml')]).toContain('SELECT id FROM tags');
  });
});

describe('only the folders a service uses', () => {
  it('routes only (sogoms-db, sogoms-logs): queries and emails are neither read nor validated', () => {
    const dir = makeTree({ ...twoApps(), 'queries/prokov/tags.yaml': 'list: [broken' });
    const config = loadPlatformConfig(dir, { parts: [] });
    expect(Object.keys(config.apps)).toEqual(['other', 'prokov']);
    expect(config.apps.prokov!.resources).toEqual({});
    expect(config.apps.prokov!.emails).toEqual({});
    expect(config.apps.prokov!.database.driver).toBe('sqlite');
    // The whole tree (sogoctl check, the gateway) still refuses it.
    expect(
      brief(
        problemsOf(() => loadPlatformConfig(dir, { parts: ['queries'] })),
        dir,
      )[0],
    ).toMatch(/^queries\/prokov\/tags.yaml : YAML syntax error/);
  });

  it('emails only (sogoms-smtp): the templates, without the queries', () => {
    const dir = makeTree({ ...twoApps(), 'queries/prokov/tags.yaml': 'list: [broken' });
    const config = loadPlatformConfig(dir, { parts: ['emails'] });
    expect(Object.keys(config.apps.prokov!.emails).sort()).toEqual(['password_reset', 'welcome']);
    expect(config.apps.prokov!.authQueries).toBeUndefined();
  });

  it("the reloader's signature of routes/ alone does not change when a query file does", () => {
    const dir = makeTree(twoApps());
    const routesOnly = treeSignature(dir, ['routes']);
    const whole = treeSignature(dir);
    edit(dir, 'queries/prokov/tags.yaml', (t) => `${t}\n# edited\n`);
    expect(treeSignature(dir, ['routes'])).toBe(routesOnly);
    expect(treeSignature(dir)).not.toBe(whole);
    edit(dir, 'routes/other.yaml', (t) => `${t}\n# edited\n`);
    expect(treeSignature(dir, ['routes'])).not.toBe(routesOnly);
  });
});
