// The statements prepared for an app: every role filter ANDed in, `:name` → `?`, named by file and section,
// and only the ones whose text changed on a reload.

import type { AppConfig, ResourceQueries } from '@sogoms/config';
import { describe, expect, it } from 'vitest';
import { appStatements, changedStatements, probeFor } from '../src/index.js';

const tasks: ResourceQueries = {
  name: 'tasks',
  ownerField: 'user_id',
  list: {
    query: 'SELECT id, title FROM tasks',
    filters: { default: 'user_id = :user_id', admin: '' },
    order: 'position ASC, id ASC',
    params: { done: 'done = :done' },
    sortable: ['title'],
    limit: { default: 50, max: 500 },
  },
  delete: { table: 'tasks', fields: [], filters: { default: 'user_id = :user_id' }, references: {} },
};
const app = (resource: ResourceQueries): AppConfig =>
  ({ app: 'prokov', resources: { tasks: resource } }) as unknown as AppConfig;

describe('appStatements', () => {
  it('builds each role filter variant and sort with ? markers, named by file and section', () => {
    const out = appStatements(app(tasks));
    expect(out.map((s) => s.section)).toEqual([
      'list (filter default)',
      'list sort=title (filter default)',
      'list (filter admin)',
      'list sort=title (filter admin)',
      'delete (filter default)',
    ]);
    expect(new Set(out.map((s) => s.file))).toEqual(new Set(['queries/prokov/tasks.yaml']));
    const first = out[0]!.sql;
    expect(first).toMatch(/user_id = \?/);
    expect(first).toMatch(/done = \?/);
    expect(first).toMatch(/LIMIT \? OFFSET \?$/);
    expect(first).not.toContain(':');
    expect(out[4]!.sql).toBe('DELETE FROM `tasks` WHERE (`id` = ?) AND (user_id = ?)');
  });

  it('a reload checks only the statements whose text changed', () => {
    const before = appStatements(app(tasks));
    const edited = { ...tasks, list: { ...tasks.list!, query: 'SELECT id, titel FROM tasks' } };
    const changed = changedStatements(appStatements(app(edited)), before);
    expect(changed.map((s) => s.section)).toEqual([
      'list (filter default)',
      'list sort=title (filter default)',
      'list (filter admin)',
      'list sort=title (filter admin)',
    ]);
  });
});

describe('probeFor', () => {
  it('SQLite: EXPLAIN with a NULL per marker; MariaDB: PREPARE then DEALLOCATE', () => {
    expect(probeFor('sqlite', 'SELECT ? , ?')).toEqual([
      { query: 'EXPLAIN SELECT ? , ?', args: [null, null] },
    ]);
    const mysql = probeFor('mysql', 'SELECT ?');
    expect(mysql[0]).toEqual({ query: 'PREPARE sogoms_prepare_check FROM ?', args: ['SELECT ?'] });
    expect(mysql[1]!.query).toBe('DEALLOCATE PREPARE sogoms_prepare_check');
  });
});
