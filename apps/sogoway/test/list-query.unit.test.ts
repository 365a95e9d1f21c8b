// List query power (phase 15, item 5) in the parse and compile steps: filter operators on whitelisted columns,
// multi-key sort, ?fields=, ?count=, ?expand=, unknown parameters refused — and every request value bound, an
// injection attempt on each operator reaching the args, never the SQL text. The last blocks pin each refusal
// of parseListExtras (message and data) and each bound at its edge (the last value accepted, the first refused),
// and filterCondition's shape key, since the statement cache is keyed on it.
import type { ReadQuery } from '@sogoms/config';
import { isSogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { bind, compileResource } from '../src/crud/compile.js';
import {
  FILTER_OPS,
  type Filter,
  filterCondition,
  parseListExtras,
  pickFields,
} from '../src/crud/list-query.js';
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

type Query = Parameters<typeof parseListExtras>[2];
const extras = (query: Query, on: ReadQuery = list) => parseListExtras(on, plan.paramNames, query);
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const x = (n: number) => 'x'.repeat(n);
const LONG_KEY = `filter[${'c'.repeat(64)}][${'o'.repeat(16)}]`;

describe('parseListExtras refusals: message and data of each', () => {
  it.each<[string, Query, ReadQuery, string, unknown]>([
    [
      'a filter given twice',
      { 'filter[title]': ['a', 'b'] },
      list,
      'Query parameter "filter[title]" must be given once',
      undefined,
    ],
    [
      '?fields= given twice',
      { fields: ['id', 'title'] },
      list,
      'Query parameter "fields" must be given once',
      undefined,
    ],
    [
      '?count= given twice',
      { count: ['true', 'true'] },
      list,
      'Query parameter "count" must be given once',
      undefined,
    ],
    [
      'a repeated name cut to 80 characters in the message',
      { [LONG_KEY]: ['1', '2'] },
      list,
      `Query parameter "${LONG_KEY.slice(0, 80)}" must be given once`,
      undefined,
    ],
    [
      'a name that only contains filter[...] (anchored at the start)',
      { 'xfilter[title]': 'a' },
      list,
      'Unknown query parameter(s): xfilter[title]',
      { params: ['xfilter[title]'] },
    ],
    [
      'a name that only starts with filter[...] (anchored at the end)',
      { 'filter[title]x': 'a' },
      list,
      'Unknown query parameter(s): filter[title]x',
      { params: ['filter[title]x'] },
    ],
    [
      'eleven unknown names: ten in the message and in data',
      Object.fromEntries(names('p', 11).map((n) => [n, '1'])),
      list,
      `Unknown query parameter(s): ${names('p', 10).join(', ')}, ...`,
      { params: names('p', 10) },
    ],
    [
      'eleven unknown fields: ten in data',
      { fields: names('f', 11).join(',') },
      list,
      `Unknown fields: ${names('f', 10).join(', ')}, ...; allowed: id, title, priority, project_id`,
      { fields: names('f', 10) },
    ],
    [
      'fields on a list declaring an empty list.fields',
      { fields: 'id' },
      { ...list, fields: [] },
      'Unknown fields: id; this list allows none',
      { fields: ['id'] },
    ],
    [
      'expand on a list without list.expand',
      { expand: 'project' },
      { ...list, expand: undefined },
      'Unknown expand: project; this list allows none',
      { expand: ['project'] },
    ],
    ['count neither true nor false', { count: 'yes' }, list, 'count must be true or false', undefined],
    [
      'a filter on a list without list.filterable',
      { 'filter[title]': 'a' },
      { ...list, filterable: undefined },
      'Cannot filter by "title"',
      { field: 'title' },
    ],
    [
      'a filter on a list with an empty list.filterable',
      { 'filter[title]': 'a' },
      { ...list, filterable: [] },
      'Cannot filter by "title"',
      { field: 'title' },
    ],
    [
      'a filter on a column not filterable (the owner column)',
      { 'filter[user_id]': '1' },
      list,
      'Cannot filter by "user_id"; filterable: title, priority, project_id',
      { field: 'user_id' },
    ],
    [
      'an unknown operator',
      { 'filter[title][regexp]': '1' },
      list,
      'Unknown filter operator "regexp"; operators: eq, ne, gt, gte, lt, lte, in, like, null',
      undefined,
    ],
    [
      'a filter value over 10 000 characters',
      { 'filter[title][in]': x(10_001) },
      list,
      'Filter on "title" is too long',
      undefined,
    ],
    [
      'in: 101 values',
      { 'filter[title][in]': names('v', 101).join(',') },
      list,
      'Filter title[in]: at most 100 values',
      { field: 'title' },
    ],
    [
      'in: one value over 1000 characters',
      { 'filter[title][in]': `a,${x(1001)}` },
      list,
      'Filter title[in]: a value is too long',
      { field: 'title' },
    ],
    [
      'like without a *',
      { 'filter[title][like]': 'plain' },
      list,
      'Filter title[like]: write abc* (prefix), *abc (suffix) or *abc* (contains)',
      { field: 'title' },
    ],
    [
      'like with a * inside',
      { 'filter[title][like]': 'a*b*' },
      list,
      'Filter title[like]: "*" goes only at the start or the end of a text',
      { field: 'title' },
    ],
    [
      'like that is only **',
      { 'filter[title][like]': '**' },
      list,
      'Filter title[like]: "*" goes only at the start or the end of a text',
      { field: 'title' },
    ],
    [
      'like over 1000 characters',
      { 'filter[title][like]': `${x(1001)}*` },
      list,
      'Filter title[like]: the value is too long',
      { field: 'title' },
    ],
    [
      'null neither true nor false',
      { 'filter[project_id][null]': '1' },
      list,
      'Filter project_id[null]: expected true or false',
      { field: 'project_id' },
    ],
    [
      'eq over 1000 characters',
      { 'filter[title]': x(1001) },
      list,
      'Filter title[eq]: the value is too long',
      { field: 'title' },
    ],
    [
      'gte over 1000 characters',
      { 'filter[priority][gte]': x(1001) },
      list,
      'Filter priority[gte]: the value is too long',
      { field: 'priority' },
    ],
  ])('%s → 400', (_what, query, on, message, data) => {
    expect(refusal(() => extras(query, on))).toEqual({ code: 'VALIDATION_ERROR', message, data });
  });

  it('21 filters are refused, 20 are read', () => {
    const keys = ['title', 'priority', 'project_id'].flatMap((c) =>
      ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'].map((op) => `filter[${c}][${op}]`),
    );
    expect(keys).toHaveLength(21);
    const query = Object.fromEntries(keys.map((k) => [k, '1']));
    expect(refusal(() => extras(query))).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'At most 20 filters per request',
      data: undefined,
    });
    expect(extras(Object.fromEntries(keys.slice(1).map((k) => [k, '1']))).filters).toHaveLength(20);
  });
});

describe('parseListExtras accepts each bound at its edge', () => {
  const one = (query: Query): Filter => {
    const { filters } = extras(query);
    expect(filters).toHaveLength(1);
    return filters[0]!;
  };

  it.each<[string, Query, Filter]>([
    [
      'filter[col] with no value is eq ""',
      { 'filter[title]': undefined },
      { column: 'title', op: 'eq', values: [''] },
    ],
    ['eq at 1000 characters', { 'filter[title]': x(1000) }, { column: 'title', op: 'eq', values: [x(1000)] }],
    [
      'lt at 1000 characters',
      { 'filter[title][lt]': x(1000) },
      { column: 'title', op: 'lt', values: [x(1000)] },
    ],
    [
      'in: 100 values',
      { 'filter[title][in]': names('v', 100).join(',') },
      { column: 'title', op: 'in', values: names('v', 100) },
    ],
    [
      'in: a value of 1000 characters',
      { 'filter[title][in]': `a,${x(1000)}` },
      { column: 'title', op: 'in', values: ['a', x(1000)] },
    ],
    [
      'in: 10 000 characters in all (the whole-value bound)',
      { 'filter[title][in]': [x(100), ...Array.from({ length: 99 }, () => x(99))].join(',') },
      { column: 'title', op: 'in', values: [x(100), ...Array.from({ length: 99 }, () => x(99))] },
    ],
    [
      'like: a text of 1000 characters',
      { 'filter[title][like]': `*${x(1000)}` },
      { column: 'title', op: 'like', values: [`%${x(1000)}`] },
    ],
    [
      'like: one character then *',
      { 'filter[title][like]': 'a*' },
      { column: 'title', op: 'like', values: ['a%'] },
    ],
    [
      'like: * then one character',
      { 'filter[title][like]': '*a' },
      { column: 'title', op: 'like', values: ['%a'] },
    ],
    [
      'null false',
      { 'filter[project_id][null]': 'false' },
      { column: 'project_id', op: 'null', values: ['false'] },
    ],
  ])('%s', (_what, query, filter) => {
    expect(one(query)).toEqual(filter);
  });

  it('the 10 000-character value of the in row is exactly at the bound', () => {
    expect([x(100), ...Array.from({ length: 99 }, () => x(99))].join(',')).toHaveLength(10_000);
  });

  const none = { filters: [], count: false, expand: [] };
  it.each<[string, Query, ReturnType<typeof extras>]>([
    ['no extras at all', {}, none],
    ['empty ?fields= is every column (no fields key)', { fields: '' }, none],
    [
      '?fields= names are trimmed and deduplicated',
      { fields: 'title, id ,title' },
      { ...none, fields: ['title', 'id'] },
    ],
    ['count=false', { count: 'false' }, none],
    ['count=true', { count: 'true' }, { ...none, count: true }],
    ['empty ?count= is false', { count: '' }, none],
    ['empty ?expand= expands nothing', { expand: '' }, none],
    ['?expand= names are trimmed', { expand: ' project ' }, { ...none, expand: ['project'] }],
  ])('%s', (_what, query, expected) => {
    expect(extras(query)).toStrictEqual(expected);
  });
});

describe('filterCondition: SQL, values and the cache shape', () => {
  const f = (column: string, op: Filter['op'], ...values: string[]): Filter => ({ column, op, values });

  it.each<[string, Filter[], { shape: string; sql: string; values: string[] }]>([
    ['no filter', [], { shape: '', sql: '', values: [] }],
    ['eq', [f('title', 'eq', 'a')], { shape: 'title.eq', sql: '`title` = :_f0', values: ['a'] }],
    ['ne', [f('title', 'ne', 'a')], { shape: 'title.ne', sql: '`title` <> :_f0', values: ['a'] }],
    ['gt', [f('title', 'gt', 'a')], { shape: 'title.gt', sql: '`title` > :_f0', values: ['a'] }],
    ['lte', [f('title', 'lte', 'a')], { shape: 'title.lte', sql: '`title` <= :_f0', values: ['a'] }],
    [
      'in: the count of values is in the shape',
      [f('priority', 'in', '1', '2', '3')],
      { shape: 'priority.in.3', sql: '`priority` IN (:_f0, :_f1, :_f2)', values: ['1', '2', '3'] },
    ],
    [
      'like',
      [f('title', 'like', 'a%')],
      { shape: 'title.like', sql: "`title` LIKE :_f0 ESCAPE '!'", values: ['a%'] },
    ],
    [
      'null true',
      [f('project_id', 'null', 'true')],
      { shape: 'project_id.null.true', sql: '`project_id` IS NULL', values: [] },
    ],
    [
      'null false',
      [f('project_id', 'null', 'false')],
      { shape: 'project_id.null.false', sql: '`project_id` IS NOT NULL', values: [] },
    ],
    [
      'several: shapes joined by commas, markers numbered across them',
      [
        f('title', 'eq', 'a'),
        f('priority', 'in', '1', '2'),
        f('project_id', 'null', 'true'),
        f('title', 'like', '%b'),
      ],
      {
        shape: 'title.eq,priority.in.2,project_id.null.true,title.like',
        sql: "`title` = :_f0 AND `priority` IN (:_f1, :_f2) AND `project_id` IS NULL AND `title` LIKE :_f3 ESCAPE '!'",
        values: ['a', '1', '2', '%b'],
      },
    ],
  ])('%s', (_what, filters, expected) => {
    expect(filterCondition(filters)).toEqual(expected);
  });

  it('a column that is not an identifier is refused before it is quoted into SQL', () => {
    expect(() => filterCondition([f('a` OR 1=1 -- ', 'eq', '1')])).toThrow(
      'not an identifier: a` OR 1=1 -- ',
    );
  });
});

describe('pickFields', () => {
  it('a field the row lacks is left out, not set to undefined; an expanded name listed in fields is kept once', () => {
    const rows = [{ id: 1, title: 'a', project: { id: 2 } }];
    expect(pickFields(rows, ['title', 'priority', 'project'], ['project'])).toStrictEqual([
      { title: 'a', project: { id: 2 } },
    ]);
    expect(Object.keys(pickFields(rows, ['project', 'id'], ['project'])[0]!)).toEqual(['project', 'id']);
  });
});
