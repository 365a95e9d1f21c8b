// The deferred join of deep offset pages: pages over the key alone, then fetches the page's rows.
import { describe, expect, it } from 'vitest';
import { deferredJoin } from '../src/index.js';

describe('deferredJoin', () => {
  it('one table: pages over the key in a subquery, joins the rows back, orders them again', () => {
    expect(
      deferredJoin(
        'SELECT id, title FROM tasks WHERE (user_id = :user_id) ORDER BY position ASC, id ASC LIMIT ? OFFSET ?',
        'id',
      ),
    ).toBe(
      'SELECT id, title FROM tasks JOIN (SELECT id FROM tasks WHERE (user_id = :user_id) ORDER BY position ASC, id ASC LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY position ASC, id ASC',
    );
  });

  it('keeps an alias, a correlated subquery in the select list, no WHERE', () => {
    expect(
      deferredJoin(
        'SELECT t.id, (SELECT COUNT(*) FROM x WHERE x.t = t.id) AS n FROM tasks AS t ORDER BY t.id LIMIT ? OFFSET ?',
        'id',
      ),
    ).toBe(
      'SELECT t.id, (SELECT COUNT(*) FROM x WHERE x.t = t.id) AS n FROM tasks AS t JOIN (SELECT id FROM tasks AS t ORDER BY t.id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY t.id',
    );
  });

  it.each([
    ['a join', 'SELECT a.id FROM a JOIN b ON b.a = a.id ORDER BY a.id LIMIT ? OFFSET ?'],
    ['a comma join', 'SELECT a.id FROM a, b ORDER BY a.id LIMIT ? OFFSET ?'],
    ['a derived table', 'SELECT id FROM (SELECT id FROM a) AS d ORDER BY id LIMIT ? OFFSET ?'],
    ['GROUP BY', 'SELECT user_id AS id FROM a GROUP BY user_id ORDER BY id LIMIT ? OFFSET ?'],
    ['DISTINCT', 'SELECT DISTINCT id FROM a ORDER BY id LIMIT ? OFFSET ?'],
    ['UNION', 'SELECT id FROM a UNION SELECT id FROM b ORDER BY id LIMIT ? OFFSET ?'],
    ['FOR UPDATE', 'SELECT id FROM a ORDER BY id LIMIT ? OFFSET ? FOR UPDATE'],
    ['no ORDER BY', 'SELECT id FROM a LIMIT ? OFFSET ?'],
    ['no LIMIT', 'SELECT id FROM a ORDER BY id'],
    ['an unterminated literal', "SELECT id FROM a WHERE b = 'x ORDER BY id LIMIT ? OFFSET ?"],
  ])('leaves %s alone (undefined: the statement runs as it is)', (_what, sql) => {
    expect(deferredJoin(sql, 'id')).toBeUndefined();
  });
});
