// What a list's statements say about the rows a role may read once pagination, ?filter[...] and expansions are
// in play (crud/compile.ts): the gateway's own placeholders (`:_afterN` for a cursor's values, `:_fN` for
// filter values and expansion ids) and nothing that merely looks like them, the keyset condition of every
// direction and NULL pattern, the cursor-shape check, the count and `IN` plans under the role filter, the
// deferred join, and the cache that must never hand one role's, one page mode's or one shape's statement to
// another. Table-driven; each row pins a behaviour that mutation testing (`pnpm test:mutation crud`,
// docs/MUTATION.md) found unpinned.
import type { ReadQuery } from '@sogoms/config';
import { describe, expect, it } from 'vitest';
import {
  type Bindings,
  bind,
  DeletePlan,
  keysetCondition,
  ListPlan,
  plainOrder,
  ShowPlan,
  type SortKey,
  type Statement,
  toStatement,
  UpdatePlan,
} from '../src/crud/compile.js';
import { ALL, cud, OWN, read } from './helpers/plan-fixtures.js';

const WHO: Bindings = { userId: 7, role: 'user', email: 'u@x.test' };

/** The message of what `run` throws. */
function thrown(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  return 'nothing thrown';
}

describe('toStatement: the gateway placeholders and nothing that looks like them', () => {
  const accepted: Array<[string, Statement['sources'][number]]> = [
    ['_after0', { after: 0 }],
    ['_after7', { after: 7 }],
    ['_after12', { after: 12 }],
    ['_f0', { filter: 0 }],
    ['_f9', { filter: 9 }],
    ['_f12345', { filter: 12345 }],
  ];
  it.each(accepted)(':%s is a gateway value', (name, source) => {
    expect(toStatement(`SELECT a FROM t WHERE b = :${name}`, 0, [])).toEqual({
      text: 'SELECT a FROM t WHERE b = ?',
      sources: [source],
    });
  });

  const refused = [
    '_after', // no index
    '_after123', // three digits
    '_afterx',
    '_after0x', // trailing text
    'x_after0', // leading text
    '_f', // no index
    '_f123456', // six digits
    '_fx',
    '_f0x',
    'x_f0',
    'after0',
    'f0',
  ];
  it.each(refused)(':%s has no value', (name) => {
    expect(thrown(() => toStatement(`SELECT :${name}`, 0, []))).toBe(
      `placeholder :${name} has no value here`,
    );
  });

  it('a declared list param wins over the gateway names, and every source keeps its marker order', () => {
    expect(toStatement('SELECT :_f1, :q, :_after1, :role, :_f0', 0, ['q']).sources).toEqual([
      { filter: 1 },
      { param: 'q' },
      { after: 1 },
      'role',
      { filter: 0 },
    ]);
  });
});

describe('bind: cursor and filter values', () => {
  const s = toStatement('SELECT :_after1, :_f0, :_after0, :_f1, :user_id', 0, []);

  it('takes the i-th value of each list, NULL and 0 included', () => {
    expect(bind(s, { ...WHO, after: ['a', null], filters: [0, 'x'] })).toEqual([null, 0, 'a', 'x', 7]);
    expect(bind(s, { ...WHO, after: [3, ''], filters: ['', 4] }, ['set'])).toEqual(['set', '', '', 3, 4, 7]);
  });

  const missing: Array<[string, Bindings, string]> = [
    ['no cursor at all', { ...WHO, filters: [1, 2] }, 'cursor value 1 missing'],
    ['a cursor one value short', { ...WHO, after: ['a'], filters: [1, 2] }, 'cursor value 1 missing'],
    ['no filter values at all', { ...WHO, after: ['a', 'b'] }, 'filter value 0 missing'],
    ['filter values one short', { ...WHO, after: ['a', 'b'], filters: [1] }, 'filter value 1 missing'],
  ];
  it.each(missing)('refuses %s (a server bug, not a client error)', (_name, b, message) => {
    expect(thrown(() => bind(s, b))).toBe(message);
  });
});

describe('plainOrder: which YAML orders a cursor can page', () => {
  const long = `a${'b'.repeat(63)}`;
  const cases: Array<[string, SortKey[] | undefined]> = [
    ['position', [{ column: 'position', desc: false }]],
    ['position ASC', [{ column: 'position', desc: false }]],
    ['  ORDER  BY  position desc  ', [{ column: 'position', desc: true }]],
    ['order by a DeSc', [{ column: 'a', desc: true }]],
    ['a  desc', [{ column: 'a', desc: true }]],
    [
      'a desc,b , c  ASC,_d DESC',
      [
        { column: 'a', desc: true },
        { column: 'b', desc: false },
        { column: 'c', desc: false },
        { column: '_d', desc: true },
      ],
    ],
    [`${long} desc`, [{ column: long, desc: true }]],
    [`${long}b`, undefined], // 65 characters: not an identifier
    ['1a', undefined],
    ['a-b', undefined],
    ['a + b', undefined],
    ['a asc nulls first', undefined],
    ['a ascending', undefined],
    ['a,', undefined],
    [',a', undefined],
    ['t.a', undefined],
    ['FIELD(a, 1, 2)', undefined],
    ['a asc b', undefined],
    ['', undefined],
    ['x order by a', undefined],
    ['a, order by b', undefined],
  ];
  it.each(cases)('%j', (order, keys) => {
    expect(plainOrder(order)).toEqual(keys);
  });
});

describe('keysetCondition: the rows after the cursor, NULL first as both databases sort it', () => {
  const asc = (column: string): SortKey => ({ column, desc: false });
  const desc = (column: string): SortKey => ({ column, desc: true });
  const cases: Array<[string, SortKey[], boolean[], string]> = [
    ['the key alone', [asc('id')], [false], '`id` > :_after0'],
    ['the key alone, descending', [desc('id')], [false], '`id` < :_after0'],
    [
      'a non-key column, descending: NULLs come last',
      [desc('title')],
      [false],
      '(`title` < :_after0 OR `title` IS NULL)',
    ],
    [
      'ascending then the key',
      [asc('title'), asc('id')],
      [false, false],
      '`title` > :_after0 OR (`title` = :_after0 AND `id` > :_after1)',
    ],
    [
      'descending then the key',
      [desc('title'), desc('id')],
      [false, false],
      '(`title` < :_after0 OR `title` IS NULL) OR (`title` = :_after0 AND `id` < :_after1)',
    ],
    [
      'a NULL cursor value, ascending: every non-NULL comes after',
      [asc('title'), asc('id')],
      [true, false],
      '`title` IS NOT NULL OR (`title` IS NULL AND `id` > :_after1)',
    ],
    [
      'a NULL cursor value, descending: nothing after it but its ties',
      [desc('title'), desc('id')],
      [true, false],
      '(`title` IS NULL AND `id` < :_after1)',
    ],
    ['a NULL cursor value, descending, alone: no row', [desc('title')], [true], '1 = 0'],
    ['no key at all: no row', [], [], '1 = 0'],
    [
      'three keys: every earlier key equal',
      [asc('a'), desc('b'), asc('id')],
      [false, false, false],
      '`a` > :_after0 OR (`a` = :_after0 AND (`b` < :_after1 OR `b` IS NULL)) OR (`a` = :_after0 AND `b` = :_after1 AND `id` > :_after2)',
    ],
    [
      'a custom key named by notNull',
      [desc('a'), desc('uid')],
      [false, false],
      '(`a` < :_after0 OR `a` IS NULL) OR (`a` = :_after0 AND `uid` < :_after1)',
    ],
  ];
  it.each(cases)('%s', (_name, keys, nulls, sql) => {
    expect(keysetCondition(keys, nulls, keys.at(-1)?.column === 'uid' ? 'uid' : 'id')).toBe(sql);
  });

  it('re-checks every column before quoting it', () => {
    expect(thrown(() => keysetCondition([asc('a`b')], [false], 'id'))).toBe('not an identifier: a`b');
  });
});

describe('ListPlan: keys, cursor pages and the deferred join', () => {
  it('the order ends with the key, in the direction of the last column', () => {
    const plan = new ListPlan(read('SELECT id FROM t', { order: 'a DESC, b' }));
    expect(plan.key).toBe('id');
    expect(plan.keys('')).toEqual([
      { column: 'a', desc: true },
      { column: 'b', desc: false },
      { column: 'id', desc: false },
    ]);
    expect(plan.keys('-title')).toEqual([
      { column: 'title', desc: true },
      { column: 'id', desc: true },
    ]);
    expect(plan.keys('title,-id')).toEqual([
      { column: 'title', desc: false },
      { column: 'id', desc: true },
    ]);
    const keyed = new ListPlan(read('SELECT uid FROM t', { key: 'uid' }));
    expect(keyed.key).toBe('uid');
    expect(keyed.keys('')).toEqual([{ column: 'uid', desc: false }]);
    expect(keyed.keys('-uid,title')).toEqual([
      { column: 'uid', desc: true },
      { column: 'title', desc: false },
    ]);
    expect(new ListPlan(read('SELECT id FROM t', { order: 'FIELD(a, 1, 2)' })).keys('')).toBeUndefined();
  });

  it('an order that is more than columns is kept as written', () => {
    const plan = new ListPlan(read('SELECT id FROM t', { order: 'FIELD(a, 1, 2)' }));
    expect(plan.statement(ALL, [], '').text).toBe(
      'SELECT id FROM t ORDER BY FIELD(a, 1, 2) LIMIT ? OFFSET ?',
    );
  });

  it('after a cursor: role filter, then the keyset condition, values bound in marker order', () => {
    const plan = new ListPlan(read('SELECT id FROM t', { params: { q: 'title = :q' } }));
    const s = plan.statement(OWN, [true], 'title', { kind: 'after', nulls: [false, false] });
    expect(s.text).toBe(
      'SELECT id FROM t WHERE (((user_id = ?)) AND (title = ?)) AND (`title` > ? OR (`title` = ? AND `id` > ?)) ORDER BY `title` ASC, `id` ASC LIMIT ? OFFSET ?',
    );
    expect(bind(s, { ...WHO, params: { q: 'x' }, after: ['m', 9] })).toEqual([7, 'x', 'm', 'm', 9]);
    const admin = plan.statement(ALL, [false], '-title', { kind: 'after', nulls: [true, false] });
    expect(admin.text).toBe(
      'SELECT id FROM t WHERE ((`title` IS NULL AND `id` < ?)) ORDER BY `title` DESC, `id` DESC LIMIT ? OFFSET ?',
    );
    expect(bind(admin, { ...WHO, after: [null, 4] })).toEqual([4]);
  });

  const misfits: Array<[string, ReadQuery, string, boolean[]]> = [
    ['too few cursor values', read('SELECT id FROM t'), 'title', [false]],
    ['too many cursor values', read('SELECT id FROM t'), '', [false, false]],
    ['no cursor value', read('SELECT id FROM t'), '', []],
    ['an order a cursor cannot page', read('SELECT id FROM t', { order: 'FIELD(a, 1, 2)' }), '', [false]],
  ];
  it.each(misfits)('refuses a cursor that does not fit the order: %s', (_name, query, sort, nulls) => {
    const plan = new ListPlan(query);
    expect(thrown(() => plan.statement(OWN, [], sort, { kind: 'after', nulls }))).toBe(
      'cursor does not fit this order',
    );
  });

  it('a deep offset reads the page through the deferred join, the role filter inside it', () => {
    const plan = new ListPlan(read('SELECT id, title FROM t'));
    const s = plan.statement(OWN, [], 'title', { kind: 'deferred' });
    expect(s.text).toBe(
      'SELECT id, title FROM t JOIN (SELECT `id` FROM t WHERE (user_id = ?) ORDER BY `title` ASC, `id` ASC LIMIT ? OFFSET ?) AS sogoms_page USING (`id`) ORDER BY `title` ASC, `id` ASC',
    );
    expect(s.sources).toEqual(['user_id']);
  });

  it('a query the deferred join cannot take is paged as it is', () => {
    const plan = new ListPlan(read('SELECT t.id FROM t JOIN u ON u.id = t.u'));
    expect(plan.statement(OWN, [], '', { kind: 'deferred' }).text).toBe(
      'SELECT t.id FROM t JOIN u ON u.id = t.u WHERE (user_id = ?) ORDER BY `id` ASC LIMIT ? OFFSET ?',
    );
  });
});

describe('ListPlan: count and IN plans stay under the role filter', () => {
  const plan = new ListPlan(read('SELECT id FROM t', { params: { q: 'title = :q' } }));

  it('count: filter, given params and the ?filter[...] condition, around the whole query', () => {
    const s = plan.countStatement(OWN, [true], { shape: 'title:eq', sql: 'title = :_f0' });
    expect(s.text).toBe(
      'SELECT COUNT(*) AS total FROM (SELECT id FROM t WHERE (((user_id = ?)) AND (title = ?)) AND (title = ?)) AS sogoms_count',
    );
    expect(bind(s, { ...WHO, params: { q: 'p' }, filters: ['f'] })).toEqual([7, 'p', 'f']);
    expect(plan.countStatement(ALL, [false]).text).toBe(
      'SELECT COUNT(*) AS total FROM (SELECT id FROM t) AS sogoms_count',
    );
    expect(plan.countStatement(OWN, [false], { shape: '', sql: '' }).text).toBe(
      'SELECT COUNT(*) AS total FROM (SELECT id FROM t WHERE (user_id = ?)) AS sogoms_count',
    );
  });

  it('a list statement with a ?filter[...] condition', () => {
    const s = plan.statement(ALL, [false], '', { kind: 'plain' }, { shape: 'title:eq', sql: 'title = :_f0' });
    expect(s.text).toBe('SELECT id FROM t WHERE (title = ?) ORDER BY `id` ASC LIMIT ? OFFSET ?');
    expect(s.sources).toEqual([{ filter: 0 }]);
  });

  it('IN: the rows of an expansion, keyed on the list key, under the filter', () => {
    const s = plan.inStatement(OWN, 3);
    expect(s.text).toBe('SELECT id FROM t WHERE ((user_id = ?)) AND (`id` IN (?, ?, ?))');
    expect(bind(s, { ...WHO, filters: [4, 5, 6] })).toEqual([7, 4, 5, 6]);
    const keyed = new ListPlan(read('SELECT uid FROM t', { key: 'uid' }));
    expect(keyed.inStatement(ALL, 1).text).toBe('SELECT uid FROM t WHERE (`uid` IN (?))');
    const bad = new ListPlan(read('SELECT id FROM t', { key: 'u id' }));
    expect(thrown(() => bad.inStatement(ALL, 1))).toBe('not an identifier: u id');
  });
});

describe('the statement cache: one entry per role, params, sort, page mode and shape', () => {
  it('list: every part of the key tells statements apart, and the same request gets the cached one', () => {
    const plan = new ListPlan(read('SELECT id FROM t', { params: { q: 'title = :q' } }));
    const where = { shape: 'title:eq', sql: 'title = :_f0' };
    const calls: Array<() => Statement> = [
      () => plan.statement(OWN, [true], 'title', { kind: 'after', nulls: [false, false] }),
      () => plan.statement(OWN, [true], 'title', { kind: 'after', nulls: [true, false] }),
      () => plan.statement(ALL, [true], 'title', { kind: 'after', nulls: [false, false] }),
      () => plan.statement(OWN, [false], 'title', { kind: 'after', nulls: [false, false] }),
      () => plan.statement(OWN, [true], '-title', { kind: 'after', nulls: [false, false] }),
      () => plan.statement(OWN, [true], 'title'),
      () => plan.statement(OWN, [true], 'title', { kind: 'deferred' }),
      () => plan.statement(OWN, [true], 'title', { kind: 'plain' }, where),
      () =>
        plan.statement(OWN, [true], 'title', { kind: 'plain' }, { shape: 'title:ne', sql: 'title <> :_f0' }),
      () => plan.countStatement(OWN, [true]),
      () => plan.countStatement(ALL, [true]),
      () => plan.countStatement(OWN, [false]),
      () => plan.countStatement(OWN, [true], where),
      () => plan.inStatement(OWN, 1),
      () => plan.inStatement(ALL, 1),
      () => plan.inStatement(OWN, 2),
    ];
    const first = calls.map((call) => call());
    expect(new Set(first.map((s) => s.text)).size).toBe(calls.length);
    calls.forEach((call, i) => {
      expect(call()).toBe(first[i]);
    });
    // The default page mode is the plain one.
    expect(plan.statement(OWN, [true], 'title', { kind: 'plain' })).toBe(first[5]);
  });

  it('every flag of the params and of the cursor NULLs has its place in the key', () => {
    const plan = new ListPlan(read('SELECT id FROM t', { params: { p: 'p = :p', q: 'q = :q' } }));
    const calls: Array<() => Statement> = [
      () => plan.countStatement(ALL, [true, false]),
      () => plan.countStatement(ALL, [false, true]),
      () => plan.countStatement(ALL, [true, true]),
      () => plan.countStatement(ALL, [false, false]),
      () => plan.statement(ALL, [true, false], ''),
      () => plan.statement(ALL, [false, true], ''),
      () => plan.statement(ALL, [false, false], 'a,b', { kind: 'after', nulls: [true, false, false] }),
      () => plan.statement(ALL, [false, false], 'a,b', { kind: 'after', nulls: [false, true, false] }),
      () => plan.statement(ALL, [false, false], 'a,b', { kind: 'after', nulls: [true, true, false] }),
    ];
    const first = calls.map((call) => call());
    expect(new Set(first.map((s) => s.text)).size).toBe(calls.length);
    calls.forEach((call, i) => {
      expect(call()).toBe(first[i]);
    });
  });

  it('no ?filter[...] and an empty one share a statement', () => {
    const plan = new ListPlan(read('SELECT id FROM t'));
    const none = { shape: '', sql: '' };
    expect(plan.countStatement(OWN, [], none)).toBe(plan.countStatement(OWN, []));
    expect(plan.statement(OWN, [], '', { kind: 'plain' }, none)).toBe(plan.statement(OWN, [], ''));
  });

  it('show, update and delete give back the statement built for the role', () => {
    const show = new ShowPlan(read('SELECT id FROM t WHERE id = :id'));
    const update = new UpdatePlan(cud('t'));
    const del = new DeletePlan(cud('t'));
    const builds: Array<(f: typeof OWN) => Statement> = [
      (f) => show.statement(f),
      (f) => update.statement(f, ['a']),
      (f) => update.visibility(f),
      (f) => del.statement(f),
    ];
    for (const build of builds) {
      const own = build(OWN);
      expect(build(ALL)).not.toBe(own);
      expect(build(OWN)).toBe(own);
    }
  });

  it('keeps at most 2000 list variants; past that each request builds its own', () => {
    const plan = new ListPlan(read('SELECT id FROM t'));
    const shape = (i: number) => ({ shape: `s${i}`, sql: '' });
    const first = Array.from({ length: 2001 }, (_, i) => plan.countStatement(ALL, [], shape(i)));
    expect(plan.countStatement(ALL, [], shape(0))).toBe(first[0]);
    expect(plan.countStatement(ALL, [], shape(1999))).toBe(first[1999]);
    const late = plan.countStatement(ALL, [], shape(2000));
    expect(late).not.toBe(first[2000]);
    expect(late).toEqual(first[2000]);
  });
});
