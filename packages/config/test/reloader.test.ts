import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  type ConfigReloader,
  createConfigReloader,
  loadPlatformConfig,
  type PlatformConfig,
} from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { makeTree } from './helpers.js';

const open: ConfigReloader[] = [];
afterEach(() => {
  for (const r of open.splice(0)) r.close();
});

/** A reloader over `dir` holding its current config, with promises for the next apply / error. */
function track(dir: string, watch: boolean, pollMs?: number) {
  let current = loadPlatformConfig(dir);
  let waiters: { onApply: () => void; onError: (e: Error) => void }[] = [];
  const errors: Error[] = [];
  const reloader = createConfigReloader<PlatformConfig>({
    dir,
    load: loadPlatformConfig,
    apply: (next) => {
      current = next;
      for (const w of waiters.splice(0)) w.onApply();
    },
    onError: (err) => {
      errors.push(err);
      for (const w of waiters.splice(0)) w.onError(err);
    },
    debounceMs: 20,
    pollMs,
    watch,
  });
  open.push(reloader);
  const next = (): Promise<'applied' | Error> =>
    new Promise((resolve) => {
      waiters.push({ onApply: () => resolve('applied'), onError: resolve });
    });
  return {
    reloader,
    errors,
    next,
    get current() {
      return current;
    },
    reset() {
      waiters = [];
    },
  };
}

const projects = (dir: string) => join(dir, 'queries/prokov/projects.yaml');
const listOnly = (query: string) =>
  `list:\n  query: ${query}\n  filters: { default: "user_id = :user_id" }\n`;

describe('createConfigReloader', () => {
  it('applies a valid config and keeps the old one when the new one is invalid', () => {
    const dir = makeTree(prokovTree());
    const t = track(dir, false);
    const first = t.current;
    writeFileSync(projects(dir), listOnly('SELECT id FROM projects ORDER BY id'));
    expect(t.reloader.reload()).toBe(true);
    expect(t.current).not.toBe(first);
    expect(t.current.apps['prokov']?.resources['projects']?.show).toBeUndefined();

    const valid = t.current;
    writeFileSync(projects(dir), `${listOnly('SELECT 1')}  bogus: 1\n`);
    expect(t.reloader.reload()).toBe(false);
    expect(t.current).toBe(valid);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toBeInstanceOf(ConfigError);
    expect((t.errors[0] as ConfigError).problems).toEqual([
      { file: projects(dir), path: 'list.bogus', message: expect.stringContaining('unknown key') },
    ]);
  });

  it('reports an apply that throws as an error and returns false', () => {
    const dir = makeTree(prokovTree());
    const errors: Error[] = [];
    const reloader = createConfigReloader({
      dir,
      load: loadPlatformConfig,
      apply: () => {
        throw new Error('refused');
      },
      onError: (e) => errors.push(e),
      watch: false,
    });
    expect(reloader.reload()).toBe(false);
    expect(errors.map((e) => e.message)).toEqual(['refused']);
  });

  it('watches the tree: an edit is applied, a broken edit is refused and the old config stays', async () => {
    const dir = makeTree(prokovTree());
    const t = track(dir, true);
    let result = t.next();
    writeFileSync(projects(dir), listOnly('SELECT id, name FROM projects'));
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe(
      'SELECT id, name FROM projects',
    );

    const good = t.current;
    result = t.next();
    writeFileSync(projects(dir), 'list: [broken\n');
    const err = await result;
    expect(err).toBeInstanceOf(ConfigError);
    expect(t.current).toBe(good);
  });

  it('watches through symlinked queries and emails folders', async () => {
    const shared = makeTree(prokovTree());
    const dir = makeTree(
      Object.fromEntries(
        Object.entries(prokovTree()).filter(([k]) => k.startsWith('routes') || k.startsWith('secrets')),
      ),
    );
    symlinkSync(join(shared, 'queries'), join(dir, 'queries'));
    symlinkSync(join(shared, 'emails'), join(dir, 'emails'));
    const t = track(dir, true);
    let result = t.next();
    writeFileSync(join(shared, 'emails/prokov/welcome.yaml'), 'subject: Hello\nbody: Welcome\n');
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.emails['welcome']?.subject).toBe('Hello');

    result = t.next();
    writeFileSync(projects(shared), listOnly('SELECT id FROM projects'));
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe('SELECT id FROM projects');
  });
});

/** What an editor's safe save (and `sed -i`) does: write a temp file beside the original, rename it over. */
function saveByRename(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.swp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

// Hardening issue, item 13: a file saved by rename made Node's recursive fs.watch go quiet for it.
describe('hot reload of files saved by rename (sed -i, vim, editors’ safe save)', () => {
  it('applies each of 5 rename-saves in a row, then a new file and a deleted one (watchers alone, no poll)', async () => {
    const dir = makeTree(prokovTree());
    const t = track(dir, true, 0);
    for (let i = 1; i <= 5; i++) {
      const result = t.next();
      saveByRename(projects(dir), listOnly(`SELECT id, ${i} AS edit FROM projects`));
      expect(await result).toBe('applied');
      expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe(
        `SELECT id, ${i} AS edit FROM projects`,
      );
    }
    let result = t.next();
    saveByRename(join(dir, 'queries/prokov/notes.yaml'), listOnly('SELECT id FROM notes'));
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['notes']?.list?.query).toBe('SELECT id FROM notes');

    result = t.next();
    unlinkSync(join(dir, 'queries/prokov/notes.yaml'));
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['notes']).toBeUndefined();
  });

  it('watches a folder created after start, and a queries folder replaced by rename', async () => {
    const dir = makeTree(prokovTree());
    const t = track(dir, true, 0);
    let result = t.next();
    mkdirSync(join(dir, 'emails/other'));
    await result; // the new folder itself is an event (nothing of it is read yet)
    result = t.next();
    writeFileSync(join(dir, 'emails/prokov/welcome.yaml'), 'subject: Hi\nbody: Welcome\n');
    expect(await result).toBe('applied');

    // Replace the whole queries/prokov folder by a renamed copy.
    const copy = join(dir, 'queries/prokov.new');
    mkdirSync(copy);
    for (const name of ['auth.yaml', 'tags.yaml'])
      writeFileSync(join(copy, name), readFileSync(join(dir, 'queries/prokov', name)));
    writeFileSync(join(copy, 'projects.yaml'), listOnly('SELECT id, 1 AS swapped FROM projects'));
    result = t.next();
    rmSync(join(dir, 'queries/prokov'), { recursive: true });
    renameSync(copy, join(dir, 'queries/prokov'));
    await vi.waitFor(
      () =>
        expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe(
          'SELECT id, 1 AS swapped FROM projects',
        ),
      { timeout: 5_000 },
    );
    result = t.next();
    saveByRename(projects(dir), listOnly('SELECT id, 2 AS swapped FROM projects'));
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe(
      'SELECT id, 2 AS swapped FROM projects',
    );
  });

  it('reload() (SIGHUP) restarts the watching: later rename-saves are still applied', async () => {
    const dir = makeTree(prokovTree());
    const t = track(dir, true, 0);
    expect(t.reloader.reload()).toBe(true);
    const result = t.next();
    saveByRename(projects(dir), listOnly('SELECT id, 7 AS after_hup FROM projects'));
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe(
      'SELECT id, 7 AS after_hup FROM projects',
    );
  });
});
