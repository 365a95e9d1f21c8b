import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
function track(dir: string, watch: boolean) {
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

describe('createConfigReloader', () => {
  it('applies a valid config and keeps the old one when the new one is invalid', () => {
    const dir = makeTree(prokovTree());
    const t = track(dir, false);
    const first = t.current;
    writeFileSync(projects(dir), 'list:\n  query: SELECT id FROM projects ORDER BY id\n');
    expect(t.reloader.reload()).toBe(true);
    expect(t.current).not.toBe(first);
    expect(t.current.apps['prokov']?.resources['projects']?.show).toBeUndefined();

    const valid = t.current;
    writeFileSync(projects(dir), 'list:\n  query: SELECT 1\n  bogus: 1\n');
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
    writeFileSync(projects(dir), 'list:\n  query: SELECT id, name FROM projects\n');
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
    writeFileSync(projects(shared), 'list:\n  query: SELECT id FROM projects\n');
    expect(await result).toBe('applied');
    expect(t.current.apps['prokov']?.resources['projects']?.list?.query).toBe('SELECT id FROM projects');
  });
});
