// deferredJoin's guards, one row each: the rewrite is only sound for one table paged by a top-level
// ORDER BY … LIMIT, so every shape it must leave alone (a modifier, a join word, another clause hidden behind
// a WHERE, a FROM it cannot read) is pinned as undefined, and every shape it takes is pinned to the exact text.
import { describe, expect, it } from 'vitest';
import { deferredJoin } from '../src/index.js';

const PAGE = 'ORDER BY id LIMIT ? OFFSET ?';

describe('deferredJoin: shapes it rewrites (exact text)', () => {
  it.each([
    [
      'an alias without AS',
      'SELECT id FROM tasks t ORDER BY t.id LIMIT ? OFFSET ?',
      'SELECT id FROM tasks t JOIN (SELECT id FROM tasks t ORDER BY t.id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY t.id',
    ],
    [
      'a backquoted table',
      `SELECT id FROM \`tasks\` ${PAGE}`,
      'SELECT id FROM `tasks` JOIN (SELECT id FROM `tasks` ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'a backquoted alias without AS',
      `SELECT id FROM tasks \`t\` ${PAGE}`,
      'SELECT id FROM tasks `t` JOIN (SELECT id FROM tasks `t` ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'a backquoted alias after AS',
      `SELECT id FROM tasks AS \`t\` ${PAGE}`,
      'SELECT id FROM tasks AS `t` JOIN (SELECT id FROM tasks AS `t` ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'a :from placeholder in the select list (not the FROM keyword)',
      `SELECT :from AS f, id FROM tasks ${PAGE}`,
      'SELECT :from AS f, id FROM tasks JOIN (SELECT id FROM tasks ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'a qualified column named from (t.from is no keyword)',
      `SELECT t.from, id FROM tasks t ${PAGE}`,
      'SELECT t.from, id FROM tasks t JOIN (SELECT id FROM tasks t ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'a backquoted column named from',
      `SELECT \`from\`, id FROM tasks ${PAGE}`,
      'SELECT `from`, id FROM tasks JOIN (SELECT id FROM tasks ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'a :all placeholder first in the select list (not the ALL modifier)',
      `SELECT :all AS flag, id FROM tasks ${PAGE}`,
      'SELECT :all AS flag, id FROM tasks JOIN (SELECT id FROM tasks ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'an empty WHERE, kept as written for the database to refuse',
      `SELECT id FROM tasks WHERE ${PAGE}`,
      'SELECT id FROM tasks JOIN (SELECT id FROM tasks WHERE ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
    [
      'comments, extra spaces and a final ; trimmed from each clause',
      'SELECT id FROM tasks  WHERE  a = 1  /* c */ ORDER BY id  -- x\n LIMIT ? OFFSET ? ; ',
      'SELECT id FROM tasks JOIN (SELECT id FROM tasks WHERE  a = 1 ORDER BY id LIMIT ? OFFSET ?) AS sogoms_page USING (id) ORDER BY id',
    ],
  ])('%s', (_what, sql, expected) => {
    expect(deferredJoin(sql, 'id')).toBe(expected);
  });
});

describe('deferredJoin: shapes it leaves alone (undefined)', () => {
  it.each([
    // Select modifiers change which rows exist: paging the key alone would page other rows.
    ['DISTINCTROW', `SELECT DISTINCTROW id FROM a ${PAGE}`],
    ['ALL', `SELECT ALL id FROM a ${PAGE}`],
    ['HIGH_PRIORITY', `SELECT HIGH_PRIORITY id FROM a ${PAGE}`],
    ['STRAIGHT_JOIN as a modifier', `SELECT STRAIGHT_JOIN id FROM a ${PAGE}`],
    // A join word is never taken for a table or an alias.
    ['JOIN where an alias would be', `SELECT id FROM a join ${PAGE}`],
    ['INNER where an alias would be', `SELECT id FROM a inner ${PAGE}`],
    ['LEFT where an alias would be', `SELECT id FROM a left ${PAGE}`],
    ['RIGHT where an alias would be', `SELECT id FROM a right ${PAGE}`],
    ['CROSS where an alias would be', `SELECT id FROM a cross ${PAGE}`],
    ['NATURAL where an alias would be', `SELECT id FROM a natural ${PAGE}`],
    ['STRAIGHT_JOIN where an alias would be', `SELECT id FROM a straight_join ${PAGE}`],
    ['USING where an alias would be', `SELECT id FROM a using ${PAGE}`],
    ['a join word after AS', `SELECT id FROM a AS left ${PAGE}`],
    // FROM must be `t`, `t a` or `t AS a`.
    ['FROM t AS (no alias)', `SELECT id FROM a AS ${PAGE}`],
    ['three names without AS', `SELECT id FROM a b c ${PAGE}`],
    ['four names with AS', `SELECT id FROM a AS b c ${PAGE}`],
    ['no FROM at all', `SELECT 1 AS id ${PAGE}`],
    ['a statement that is not a SELECT', `DELETE FROM a ${PAGE}`],
    // Clauses hidden behind a WHERE (FROM is then one table, only the clause guard refuses).
    ['no ORDER BY, with a WHERE', 'SELECT id FROM a WHERE b = 1 LIMIT ? OFFSET ?'],
    ['ORDER BY after LIMIT', 'SELECT id FROM a WHERE b = 1 LIMIT 5 ORDER BY id'],
    ['no LIMIT, with a WHERE', 'SELECT id FROM a WHERE b = 1 ORDER BY id'],
    ['GROUP BY after a WHERE', `SELECT id FROM a WHERE b = 1 GROUP BY id ${PAGE}`],
    ['HAVING after a WHERE', `SELECT id FROM a WHERE b = 1 HAVING id > 0 ${PAGE}`],
    ['UNION after a WHERE', `SELECT id FROM a WHERE b = 1 UNION SELECT id FROM c ${PAGE}`],
    ['WINDOW after a WHERE', `SELECT id FROM a WHERE b = 1 WINDOW w AS (ORDER BY id) ${PAGE}`],
    ['LOCK IN SHARE MODE', `SELECT id FROM a WHERE b = 1 ${PAGE} LOCK IN SHARE MODE`],
    ['two statements', `SELECT id FROM a ${PAGE}; SELECT 1`],
  ])('leaves %s alone', (_what, sql) => {
    expect(deferredJoin(sql, 'id')).toBeUndefined();
  });
});
