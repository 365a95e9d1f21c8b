// What keeps one role's statement from serving another: the per-role cache keys of every plan, the 403 for a
// role without a filter, the identifier re-check before quoting, and where each placeholder's value comes
// from. Table-driven; each row pins a behaviour mutation testing (`pnpm test:mutation crud`,
// docs/MUTATION.md) found unpinned.
import type { TokenClaims } from '@sogoms/auth';
import type { ResourceQueries } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import {
  bind,
  bindings,
  CreatePlan,
  compileResource,
  DeletePlan,
  filterFor,
  ListPlan,
  ShowPlan,
  toStatement,
  UpdatePlan,
} from '../src/crud/compile.js';
import { ALL, cud, OWN, read } from './helpers/plan-fixtures.js';

describe('filterFor', () => {
  it('answers 403 Access denied for a role with no entry and no default', () => {
    let error: unknown;
    try {
      filterFor({ admin: '' }, 'user');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SogomsError);
    expect(error).toMatchObject({ code: ErrorCode.FORBIDDEN, message: 'Access denied' });
  });

  it('answers the chosen filter otherwise', () => {
    expect(filterFor({ default: 'a', admin: '' }, 'admin')).toEqual({ key: 'admin', sql: '' });
    expect(filterFor({ default: 'a' }, 'user')).toEqual({ key: 'default', sql: 'a' });
    expect(filterFor({}, 'user')).toEqual({ key: '', sql: '' });
  });
});

describe('each plan caches one statement per role filter', () => {
  it('list: an unfiltered admin statement is never served to a filtered role, and back', () => {
    const plan = new ListPlan(read('SELECT id FROM t'));
    expect(plan.statement(ALL, [], '').text).toBe('SELECT id FROM t ORDER BY `id` ASC LIMIT ? OFFSET ?');
    expect(plan.statement(OWN, [], '').text).toBe(
      'SELECT id FROM t WHERE (user_id = ?) ORDER BY `id` ASC LIMIT ? OFFSET ?',
    );
    expect(plan.statement(ALL, [], '').text).toBe('SELECT id FROM t ORDER BY `id` ASC LIMIT ? OFFSET ?');
  });

  it('list: one statement per set of given params and per sort', () => {
    const plan = new ListPlan(read('SELECT id FROM t', { params: { a: 'a = :a', b: 'b = :b' } }));
    const texts = [
      plan.statement(ALL, [true, false], ''),
      plan.statement(ALL, [false, true], ''),
      plan.statement(ALL, [false, true], 'title'),
      plan.statement(ALL, [false, true], '-title'),
    ].map((s) => s.text);
    expect(texts).toEqual([
      'SELECT id FROM t WHERE (a = ?) ORDER BY `id` ASC LIMIT ? OFFSET ?',
      'SELECT id FROM t WHERE (b = ?) ORDER BY `id` ASC LIMIT ? OFFSET ?',
      'SELECT id FROM t WHERE (b = ?) ORDER BY `title` ASC, `id` ASC LIMIT ? OFFSET ?',
      'SELECT id FROM t WHERE (b = ?) ORDER BY `title` DESC, `id` DESC LIMIT ? OFFSET ?',
    ]);
  });

  it('show, delete and the update visibility check', () => {
    const show = new ShowPlan(read('SELECT id FROM t WHERE id = :id'));
    const del = new DeletePlan(cud('t'));
    const update = new UpdatePlan(cud('t'));
    const rows: Array<[string, (f: typeof OWN) => string]> = [
      ['show', (f) => show.statement(f).text],
      ['delete', (f) => del.statement(f).text],
      ['visibility', (f) => update.visibility(f).text],
    ];
    const seen = rows.map(([name, text]) => [name, text(ALL), text(OWN), text(ALL)]);
    expect(seen).toEqual([
      [
        'show',
        'SELECT id FROM t WHERE id = ?',
        'SELECT id FROM t WHERE (id = ?) AND (user_id = ?)',
        'SELECT id FROM t WHERE id = ?',
      ],
      [
        'delete',
        'DELETE FROM `t` WHERE `id` = ?',
        'DELETE FROM `t` WHERE (`id` = ?) AND (user_id = ?)',
        'DELETE FROM `t` WHERE `id` = ?',
      ],
      [
        'visibility',
        'SELECT 1 AS visible FROM `t` WHERE `id` = ?',
        'SELECT 1 AS visible FROM `t` WHERE (`id` = ?) AND (user_id = ?)',
        'SELECT 1 AS visible FROM `t` WHERE `id` = ?',
      ],
    ]);
  });

  it('update: one statement per role and per set of columns', () => {
    const plan = new UpdatePlan(cud('t'));
    const texts = [
      plan.statement(ALL, ['a']),
      plan.statement(OWN, ['a']),
      plan.statement(OWN, ['b']),
      plan.statement(OWN, ['a', 'b']),
      plan.statement(ALL, ['a']),
      plan.statement(ALL, ['ab']),
      plan.statement(ALL, ['a', 'b']),
    ].map((s) => s.text);
    expect(texts).toEqual([
      'UPDATE `t` SET `a` = ? WHERE `id` = ?',
      'UPDATE `t` SET `a` = ? WHERE (`id` = ?) AND (user_id = ?)',
      'UPDATE `t` SET `b` = ? WHERE (`id` = ?) AND (user_id = ?)',
      'UPDATE `t` SET `a` = ?, `b` = ? WHERE (`id` = ?) AND (user_id = ?)',
      'UPDATE `t` SET `a` = ? WHERE `id` = ?',
      'UPDATE `t` SET `ab` = ? WHERE `id` = ?',
      'UPDATE `t` SET `a` = ?, `b` = ? WHERE `id` = ?',
    ]);
  });

  it('create: one INSERT per set of columns, built once', () => {
    const plan = new CreatePlan(cud('t'));
    expect(plan.text(['a'])).toBe('INSERT INTO `t` (`a`) VALUES (?)');
    expect(plan.text(['a', 'b'])).toBe('INSERT INTO `t` (`a`, `b`) VALUES (?, ?)');
    expect(plan.text(['a'])).toBe('INSERT INTO `t` (`a`) VALUES (?)');
    expect(plan.text(['ab'])).toBe('INSERT INTO `t` (`ab`) VALUES (?)');
  });
});

describe('identifiers are checked again before they are pasted into SQL', () => {
  const bad = ['t; DROP TABLE users', 't`', 'a b', '', '1t'];
  const builds: Array<[string, (name: string) => unknown]> = [
    ['INSERT table', (name) => new CreatePlan(cud(name)).text(['a'])],
    ['INSERT column', (name) => new CreatePlan(cud('t')).text(['a', name])],
    ['UPDATE table', (name) => new UpdatePlan(cud(name)).statement(OWN, ['a'])],
    ['UPDATE column', (name) => new UpdatePlan(cud('t')).statement(OWN, [name])],
    ['DELETE table', (name) => new DeletePlan(cud(name)).statement(OWN)],
    ['visibility table', (name) => new UpdatePlan(cud(name)).visibility(OWN)],
  ];
  it.each(builds)('%s', (_name, build) => {
    for (const name of bad) expect(() => build(name)).toThrow(`not an identifier: ${name}`);
  });
});

describe('toStatement / bind: where each value comes from', () => {
  const claims: TokenClaims = {
    sub: 7,
    email: 'u@x.test',
    name: 'U',
    app: 'prokov',
    role: 'manager',
    iat: 1,
    exp: 2,
    jti: 'j',
  };

  it('maps id, user_id, role and email to the request, allowed names to params', () => {
    const s = toStatement('SELECT :id, :user_id, :role, :email, :q, :user_id', 0, ['q']);
    expect(s).toEqual({
      text: 'SELECT ?, ?, ?, ?, ?, ?',
      sources: ['id', 'user_id', 'role', 'email', { param: 'q' }, 'user_id'],
    });
    const b = { ...bindings(claims, 12), params: { q: 'x' } };
    expect(bindings(claims, 12)).toEqual({ id: 12, userId: 7, role: 'manager', email: 'u@x.test' });
    expect(bind(s, b)).toEqual([12, 7, 'manager', 'u@x.test', 'x', 7]);
    expect(bind(s, b, ['first'])).toEqual(['first', 12, 7, 'manager', 'u@x.test', 'x', 7]);
  });

  const refused: Array<[string, () => unknown, string]> = [
    [
      'an unknown placeholder',
      () => toStatement('SELECT :secret', 0, ['q']),
      'placeholder :secret has no value here',
    ],
    [
      'a "?" of its own',
      () => toStatement('SELECT ? WHERE a = :id', 0, []),
      'query has 1 "?" markers where 0 were expected',
    ],
    [
      'fewer "?" than the gateway put',
      () => toStatement('SELECT :id', 1, []),
      'query has 0 "?" markers where 1 were expected',
    ],
  ];
  it.each(refused)('refuses %s', (_name, run, message) => {
    expect(run).toThrow(message);
  });

  it('an absent param is a 400 naming it, with or without a params object', () => {
    const s = toStatement('SELECT :q', 0, ['q']);
    for (const b of [bindings(claims), { ...bindings(claims), params: {} }]) {
      let error: unknown;
      try {
        bind(s, b);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({
        code: ErrorCode.VALIDATION_ERROR,
        message: 'Query parameter "q" is required',
      });
    }
  });
});

describe('compileResource', () => {
  it('builds exactly the plans the resource declares', () => {
    const r: ResourceQueries = { name: 'notes', ownerField: 'owner_id', show: read('SELECT id FROM n') };
    const c = compileResource(r);
    expect(c.name).toBe('notes');
    expect(c.ownerField).toBe('owner_id');
    expect(c.show).toBeInstanceOf(ShowPlan);
    expect([c.list, c.create, c.update, c.delete]).toEqual([undefined, undefined, undefined, undefined]);
    const full = compileResource({
      ...r,
      list: read('SELECT id FROM n'),
      create: cud('n'),
      update: cud('n'),
      delete: cud('n'),
    });
    expect(full.list).toBeInstanceOf(ListPlan);
    expect(full.create).toBeInstanceOf(CreatePlan);
    expect(full.update).toBeInstanceOf(UpdatePlan);
    expect(full.delete).toBeInstanceOf(DeletePlan);
    expect(full.list!.paramNames).toEqual([]);
    const listOnly = compileResource({ name: 'l', ownerField: 'o', list: read('SELECT id FROM l') });
    expect([listOnly.show, listOnly.create, listOnly.update, listOnly.delete]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
