import { describe, expect, it } from 'vitest';
import { findTopLevelClauses, SqlError } from '../src/index.js';

const at = (sql: string, needle: string): number => {
  const i = sql.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in ${sql}`);
  return i;
};

describe('findTopLevelClauses', () => {
  it('finds every top-level clause, case-insensitively, across newlines', () => {
    const sql =
      'select a, count(*) from t\nwhere a > 1\ngroup\n\tby a\nhaving count(*) > 2\norder  BY a desc\nlimit 10';
    expect(findTopLevelClauses(sql)).toEqual({
      where: at(sql, 'where'),
      groupBy: at(sql, 'group'),
      having: at(sql, 'having'),
      orderBy: at(sql, 'order'),
      limit: at(sql, 'limit'),
      end: sql.length,
    });
  });

  it('ignores clauses inside subqueries and function calls', () => {
    const sql =
      'SELECT (SELECT max(x) FROM u WHERE u.t = t.id ORDER BY x LIMIT 1) AS m, GROUP_CONCAT(n ORDER BY n) FROM t';
    expect(findTopLevelClauses(sql)).toEqual({ end: sql.length });
  });

  it('ignores keywords in strings, quoted identifiers and comments', () => {
    const sql = 'SELECT \'WHERE\', "ORDER BY", `limit` FROM t -- WHERE x\n/* GROUP BY */ # HAVING';
    expect(findTopLevelClauses(sql)).toEqual({ end: at(sql, ' --') });
  });

  it('is word-bounded: reorder_by, my_where, t.order are not keywords', () => {
    const sql = 'SELECT reorder_by, my_where, t.order, limits FROM t';
    expect(findTopLevelClauses(sql)).toEqual({ end: sql.length });
  });

  it('reports a top-level UNION and a trailing semicolon', () => {
    const sql = 'SELECT a FROM t UNION SELECT a FROM u;  ';
    const c = findTopLevelClauses(sql);
    expect(c.union).toBe(at(sql, 'UNION'));
    expect(c.semicolon).toBe(at(sql, ';'));
    expect(c.end).toBe(at(sql, ';'));
  });

  it('detects FOR UPDATE and WINDOW, but not a column called window', () => {
    const sql = 'SELECT window FROM t WINDOW w AS (ORDER BY a) FOR UPDATE';
    const c = findTopLevelClauses(sql);
    expect(c.window).toBe(at(sql, 'WINDOW'));
    expect(c.locking).toBe(at(sql, 'FOR'));
  });

  it('refuses two statements', () => {
    expect(() => findTopLevelClauses('SELECT 1; DROP TABLE users')).toThrow(SqlError);
  });
});
