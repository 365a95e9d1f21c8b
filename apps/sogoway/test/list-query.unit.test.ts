// List query power (phase 15, item 5) in the parse and compile steps: filter operators on whitelisted columns,
// multi-key sort, ?fields=, ?count=, ?expand=, unknown parameters refused — and every request value bound, an
// injection attempt on each operator reaching the args, never the SQL text.
import type { ReadQuery } from '@sogoms/config';
import { isSogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { bind, compileResource } from '../src/crud/compile.js';
import { FILTER_OPS, filterCondition, parseListExtras, pickFields } from '../src/crud/list-query.js';
import { parseListQuery } from '../src/crud/validate.js';

const list: ReadQuery = {
  query: 'SELECT id, user_id, project_id, title, priority FROM tasks',
  filters: { default: 'user_id = :user_id' },
  params: { done: 'done = :done' },
  sortable: ['title', 'priority'],
  order: 'id ASC',
  limit: { default: 20, max: 100, maxOffset: 1000 },
  filterable: ['title', 'priority', 'project_id'],
  fields: ['id', 'title', 'priority', 'project_id'],
  expand: { project: { field: 'project_id', resource: 'projects' } },
};
const plan = compileResource({ name: 'tasks', ownerField: 'user_id', list }).list!;
const OWN = { key: 'default', sql: 'user_id = :user_id' };
const who = { userId: 7, role: 'user', email: 'u@x.test' };

const PAYLOADS = [
  "x' OR '1'='1",
  '1; DROP TABLE tasks',
  '0 UNION SELECT password FROM users',
  '1) OR (1=1',
  "a%' -- ",
  '`x`) OR (`y`',
];

function refusal(fn: () => unknown): { code: string; message: string; data?: unknown } {
  try {
    fn();
  } catch (err) {
    if (isSogomsError(err)) return { code: err.code, message: err.message, data: err.data };
    throw err;
  }
  throw new Error('expected a refusal');
}

/** The statement and args of a list request with the given query string. */
function compiled(query: Record<string, string>) {
  const req = parseListQuery(list, plan.paramNames, query);
  const extras = parseListExtras(list, plan.paramNames, query);
  const where = filterCondition(extras.filters);
  const s = plan.statement(OWN, req.given, req.sort, { kind: 'plain' }, where);
  return { text: s.text, args: bind(s, { ...who, params: req.params, filters: where.values }) };
}

describe('filter operators bind every value (injection attempts on each operator)', () => {
  const sql: Record<string, string> = {
    eq: '`title` = ?',
    ne: '`title` <> ?',
    gt: '`title` > ?',
    gte: '`title` >= ?',
    lt: '`title` < ?',
    lte: '`title` <= ?',
  };
  for (const op of ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const) {
    it(`${op}: the payload is an arg, the text has only a marker`, () => {
      for (const p of PAYLOADS) {
        const { text, args } = compiled({ [`filter[title][${op}]`]: p });
        expect(text).toBe(
          `SELECT id, user_id, project_id, title, priority FROM tasks WHERE ((user_id = ?)) AND (${sql[op]}) ORDER BY \`id\` ASC LIMIT ? OFFSET ?`,
        );
        expect(args).toEqual([7, p]);
      }
    });
  }

  it('filter[col]=v is eq', () => {
    expect(compiled({ 'filter[priority]': '3' })).toMatchObject({ args: [7, '3'] });
    expect(compiled({ 'filter[priority]': '3' }).text).toContain('(`priority` = ?)');
  });

  it('in: one marker per comma-separated value, each payload an arg', () => {
    const { text, args } = compiled({ 'filter[title][in]': PAYLOADS.join(',') });
    const values = PAYLOADS.join(',').split(',');
    expect(text).toContain(`(\`title\` IN (${values.map(() => '?').join(', ')}))`);
    expect(args).toEqual([7, ...values]);
    for (const p of PAYLOADS) expect(text).not.toContain(p);
  });

  it('like: prefix/suffix/contains, the pattern bound with %, _ and ! escaped', () => {
    for (const p of PAYLOADS) {
      const { text, args } = compiled({ 'filter[title][like]': `*${p}*` });
      expect(text).toContain("(`title` LIKE ? ESCAPE '!')");
      expect(args).toEqual([7, `%${p.replace(/[!%_]/g, (c) => `!${c}`)}%`]);
    }
    expect(compiled({ 'filter[title][like]': 'ab_c*' }).args).toEqual([7, 'ab!_c%']);
    expect(compiled({ 'filter[title][like]': '*100%' }).args).toEqual([7, '%100!%']);
    expect(refusal(() => compiled({ 'filter[title][like]': 'a*b' })).code).toBe('VALIDATION_ERROR');
    expect(refusal(() => compiled({ 'filter[title][like]': 'plain' })).code).toBe('VALIDATION_ERROR');
    expect(refusal(() => compiled({ 'filter[title][like]': '*' })).code).toBe('VALIDATION_ERROR');
  });

  it('null: only true/false, written IS [NOT] NULL with no value at all', () => {
    expect(compiled({ 'filter[project_id][null]': 'true' })).toMatchObject({ args: [7] });
    expect(compiled({ 'filter[project_id][null]': 'true' }).text).toContain('(`project_id` IS NULL)');
    expect(compiled({ 'filter[project_id][null]': 'false' }).text).toContain('(`project_id` IS NOT NULL)');
    for (const p of PAYLOADS) {
      expect(refusal(() => compiled({ 'filter[project_id][null]': p })).code).toBe('VALIDATION_ERROR');
    }
  });

  it('several filters are ANDed, beside list.params, markers in order', () => {
    const { text, args } = compiled({
      done: '1',
      'filter[priority][gte]': '2',
      'filter[title][like]': 'a*',
    });
    expect(text).toBe(
      "SELECT id, user_id, project_id, title, priority FROM tasks WHERE (((user_id = ?)) AND (done = ?)) AND (`priority` >= ? AND `title` LIKE ? ESCAPE '!') ORDER BY `id` ASC LIMIT ? OFFSET ?",
    );
    expect(args).toEqual([7, '1', '2', 'a%']);
  });

  it('a payload as column or operator name is refused (400), never pasted', () => {
    for (const p of PAYLOADS) {
      expect(refusal(() => compiled({ [`filter[${p}]`]: '1' })).code).toBe('VALIDATION_ERROR');
      expect(refusal(() => compiled({ [`filter[title][${p}]`]: '1' })).code).toBe('VALIDATION_ERROR');
    }
    expect(refusal(() => compiled({ 'filter[user_id]': '1' })).message).toBe(
      'Cannot filter by "user_id"; filterable: title, priority, project_id',
    );
    expect(refusal(() => compiled({ 'filter[title][regexp]': '1' })).message).toContain('operators: eq, ne');
    expect(FILTER_OPS).toEqual(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'like', 'null']);
  });
});

describe('list parameters', () => {
  it('unknown query parameters → 400 naming them (limit, offset, sort, after and list.params are known)', () => {
    const err = refusal(() =>
      parseListExtras(list, plan.paramNames, { limit: '1', done: '1', colour: 'red', x: '1' }),
    );
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', message: 'Unknown query parameter(s): colour, x' });
    expect(err.data).toEqual({ params: ['colour', 'x'] });
    expect(
      parseListExtras(list, plan.paramNames, {
        limit: '1',
        offset: '0',
        sort: 'title',
        after: '',
        done: '1',
      }),
    ).toEqual({ filters: [], count: false, expand: [] });
  });

  it('?fields= only among list.fields (a column not listed, e.g. a hidden one, is refused)', () => {
    expect(parseListExtras(list, [], { fields: 'title,id' }).fields).toEqual(['title', 'id']);
    expect(refusal(() => parseListExtras(list, [], { fields: 'title,password' })).message).toBe(
      'Unknown fields: password; allowed: id, title, priority, project_id',
    );
    const noFields = { ...list, fields: undefined };
    expect(refusal(() => parseListExtras(noFields, [], { fields: 'id' })).message).toBe(
      'Unknown fields: id; this list allows none',
    );
    const rows = [{ id: 1, title: 'a', secret: 's', project: { id: 2 } }];
    expect(pickFields(rows, ['title'], ['project'])).toEqual([{ title: 'a', project: { id: 2 } }]);
  });

  it('?count= is true or false; ?expand= only list.expand names', () => {
    expect(parseListExtras(list, [], { count: 'true', expand: 'project' })).toMatchObject({
      count: true,
      expand: ['project'],
    });
    expect(refusal(() => parseListExtras(list, [], { count: 'yes' })).code).toBe('VALIDATION_ERROR');
    expect(refusal(() => parseListExtras(list, [], { expand: 'owner' })).message).toBe(
      'Unknown expand: owner; allowed: project',
    );
  });

  it('multi-key sort: each key sortable, once, at most 5; the key ends the order', () => {
    const req = parseListQuery(list, [], { sort: '-priority,title' });
    expect(plan.statement(OWN, [false], req.sort).text).toContain(
      'ORDER BY `priority` DESC, `title` ASC, `id` ASC LIMIT',
    );
    expect(refusal(() => parseListQuery(list, [], { sort: 'title,-title' })).message).toBe(
      'Sort key "title" is given twice',
    );
    expect(refusal(() => parseListQuery(list, [], { sort: 'title,secret' })).code).toBe('VALIDATION_ERROR');
  });

  it('count and expansion statements: filters and ids bound', () => {
    const where = filterCondition(parseListExtras(list, [], { 'filter[title][like]': "*' OR 1=1*" }).filters);
    const count = plan.countStatement(OWN, [false], where);
    expect(count.text).toBe(
      "SELECT COUNT(*) AS total FROM (SELECT id, user_id, project_id, title, priority FROM tasks WHERE ((user_id = ?)) AND (`title` LIKE ? ESCAPE '!')) AS sogoms_count",
    );
    expect(bind(count, { ...who, filters: where.values })).toEqual([7, "%' OR 1=1%"]);
    const ids = plan.inStatement(OWN, 2);
    expect(ids.text).toBe(
      'SELECT id, user_id, project_id, title, priority FROM tasks WHERE ((user_id = ?)) AND (`id` IN (?, ?))',
    );
    expect(bind(ids, { ...who, filters: [3, '1 OR 1=1'] })).toEqual([7, 3, '1 OR 1=1']);
  });
});
