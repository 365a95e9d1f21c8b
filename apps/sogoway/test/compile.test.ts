// The compiled statements of the generic CRUD: filters, params, sort, pagination, placeholder order.
import type { ReadQuery, ResourceQueries } from '@sogoms/config';
import { describe, expect, it } from 'vitest';
import { bind, chooseFilter, compileResource } from '../src/crud/compile.js';

const read = (query: string, extra: Partial<ReadQuery> = {}): ReadQuery => ({
  query,
  filters: { default: 'user_id = :user_id', admin: '' },
  params: {},
  sortable: [],
  limit: { default: 50, max: 500 },
  ...extra,
});

const resource: ResourceQueries = {
  name: 'tasks',
  ownerField: 'user_id',
  list: read('SELECT id, (SELECT COUNT(*) FROM tt WHERE tt.task_id = tasks.id) AS n FROM tasks', {
    params: { project_id: 'project_id = :project_id', q: "title LIKE CONCAT('%', :q, '%')" },
    sortable: ['title'],
    order: 'position ASC',
  }),
  show: read('SELECT id FROM tasks WHERE id = :id'),
  create: { table: 'tasks', fields: ['title', 'done'], filters: {}, references: {} },
  update: {
    table: 'tasks',
    fields: ['title', 'done'],
    filters: { default: 'user_id = :user_id', manager: 'team = :role' },
    references: {},
  },
  delete: { table: 'tasks', fields: [], filters: { default: 'user_id = :user_id' }, references: {} },
};
const who = { userId: 7, role: 'user', email: 'u@x.test' };

describe('chooseFilter', () => {
  it('takes the role entry, else default; an empty mapping means no filter; no default refuses', () => {
    expect(chooseFilter({ default: 'a', admin: '' }, 'admin')).toEqual({ key: 'admin', sql: '' });
    expect(chooseFilter({ default: 'a', admin: '' }, 'user')).toEqual({ key: 'default', sql: 'a' });
    expect(chooseFilter({}, 'user')).toEqual({ key: '', sql: '' });
    expect(chooseFilter({ admin: '' }, 'user')).toBeUndefined();
    expect(chooseFilter({ default: 'a' }, '__proto__')).toEqual({ key: 'default', sql: 'a' });
  });
});

describe('compileResource', () => {
  const compiled = compileResource(resource);

  it('is cached per config object', () => {
    expect(compileResource(resource)).toBe(compiled);
    expect(compileResource({ ...resource })).not.toBe(compiled);
  });

  it('list: filter into the outer WHERE only, default order, LIMIT ? OFFSET ? last', () => {
    const s = compiled.list!.statement({ key: 'default', sql: 'user_id = :user_id' }, [false, false], '');
    expect(s.text).toBe(
      'SELECT id, (SELECT COUNT(*) FROM tt WHERE tt.task_id = tasks.id) AS n FROM tasks WHERE (user_id = ?) ORDER BY `position` ASC, `id` ASC LIMIT ? OFFSET ?',
    );
    expect(bind(s, who)).toEqual([7]);
  });

  it('list: given params in declaration order, values from the query string, sort replaces the order', () => {
    const s = compiled.list!.statement({ key: 'default', sql: 'user_id = :user_id' }, [true, true], '-title');
    expect(s.text).toBe(
      "SELECT id, (SELECT COUNT(*) FROM tt WHERE tt.task_id = tasks.id) AS n FROM tasks WHERE (((user_id = ?)) AND (project_id = ?)) AND (title LIKE CONCAT('%', ?, '%')) ORDER BY `title` DESC, `id` DESC LIMIT ? OFFSET ?",
    );
    expect(bind(s, { ...who, params: { project_id: '3', q: "x' OR 1=1" } })).toEqual([7, '3', "x' OR 1=1"]);
    expect(
      compiled.list!.statement({ key: 'default', sql: 'user_id = :user_id' }, [true, true], '-title'),
    ).toBe(s);
  });

  it('list: the admin variant has no filter', () => {
    const s = compiled.list!.statement({ key: 'admin', sql: '' }, [false, false], 'title');
    expect(s.text).toBe(
      'SELECT id, (SELECT COUNT(*) FROM tt WHERE tt.task_id = tasks.id) AS n FROM tasks ORDER BY `title` ASC, `id` ASC LIMIT ? OFFSET ?',
    );
    expect(bind(s, who)).toEqual([]);
  });

  it('show: filter ANDed to the id condition', () => {
    const s = compiled.show!.statement({ key: 'default', sql: 'user_id = :user_id' });
    expect(s.text).toBe('SELECT id FROM tasks WHERE (id = ?) AND (user_id = ?)');
    expect(bind(s, { ...who, id: 12 })).toEqual([12, 7]);
  });

  it('create: INSERT from YAML identifiers only', () => {
    expect(compiled.create!.text(['title', 'user_id'])).toBe(
      'INSERT INTO `tasks` (`title`, `user_id`) VALUES (?, ?)',
    );
  });

  it('update: SET values first, then id and the filter', () => {
    const s = compiled.update!.statement({ key: 'manager', sql: 'team = :role' }, ['title', 'done']);
    expect(s.text).toBe('UPDATE `tasks` SET `title` = ?, `done` = ? WHERE (`id` = ?) AND (team = ?)');
    expect(bind(s, { ...who, role: 'manager', id: 5 }, ['t', 1])).toEqual(['t', 1, 5, 'manager']);
    const visible = compiled.update!.visibility({ key: 'default', sql: 'user_id = :user_id' });
    expect(visible.text).toBe('SELECT 1 AS visible FROM `tasks` WHERE (`id` = ?) AND (user_id = ?)');
  });

  it('delete: WHERE id AND filter', () => {
    const s = compiled.delete!.statement({ key: 'default', sql: 'user_id = :user_id' });
    expect(s.text).toBe('DELETE FROM `tasks` WHERE (`id` = ?) AND (user_id = ?)');
  });

  it('refuses a query with its own "?" (it would shift the args)', () => {
    const bad = compileResource({ ...resource, show: read('SELECT id FROM tasks WHERE id = ?') });
    expect(() => bad.show!.statement({ key: 'default', sql: 'user_id = :user_id' })).toThrow(/markers/);
  });

  it('an absent list param used by the base query is a client error', () => {
    const r = compileResource({
      ...resource,
      list: read('SELECT id FROM tasks', { params: { p: 'p = :p' } }),
    });
    const s = r.list!.statement({ key: 'default', sql: 'user_id = :user_id' }, [true], '');
    expect(() => bind(s, who)).toThrow(/required/);
  });
});
