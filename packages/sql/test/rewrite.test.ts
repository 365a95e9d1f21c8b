import { describe, expect, it } from 'vitest';
import { addCondition, appendLimit, compileNamed, replaceOrderBy, SqlError } from '../src/index.js';

const F = 'user_id = :user_id';

describe('addCondition', () => {
  it('wraps the existing WHERE and the condition so an OR cannot leak rows', () => {
    expect(addCondition('SELECT id FROM t WHERE a = 1 OR b = 2', F)).toBe(
      'SELECT id FROM t WHERE (a = 1 OR b = 2) AND (user_id = :user_id)',
    );
  });

  it('wraps an OR inside the condition too', () => {
    expect(addCondition('SELECT id FROM t WHERE a = 1', 'x = 1 OR y = 2')).toBe(
      'SELECT id FROM t WHERE (a = 1) AND (x = 1 OR y = 2)',
    );
  });

  it('inserts WHERE at the end when there is no WHERE', () => {
    expect(addCondition('SELECT id, name FROM projects', F)).toBe(
      'SELECT id, name FROM projects WHERE (user_id = :user_id)',
    );
  });

  it('inserts WHERE before a top-level ORDER BY / LIMIT', () => {
    expect(addCondition('SELECT id FROM t ORDER BY id LIMIT 5', F)).toBe(
      'SELECT id FROM t WHERE (user_id = :user_id) ORDER BY id LIMIT 5',
    );
    expect(addCondition('SELECT id FROM t\nlimit 5', F)).toBe(
      'SELECT id FROM t\nWHERE (user_id = :user_id) limit 5',
    );
  });

  it('inserts WHERE before GROUP BY and keeps HAVING after it', () => {
    expect(addCondition('SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1', F)).toBe(
      'SELECT a, count(*) FROM t WHERE (user_id = :user_id) GROUP BY a HAVING count(*) > 1',
    );
    expect(addCondition('SELECT a FROM t WHERE b = 1 GROUP BY a HAVING count(*) > 1 ORDER BY a', F)).toBe(
      'SELECT a FROM t WHERE (b = 1) AND (user_id = :user_id) GROUP BY a HAVING count(*) > 1 ORDER BY a',
    );
  });

  it("leaves a subquery's own WHERE / ORDER BY alone", () => {
    const sql =
      'SELECT id, (SELECT count(*) FROM tasks k WHERE k.project_id = p.id ORDER BY k.id) AS n FROM projects p';
    expect(addCondition(sql, 'p.user_id = :user_id')).toBe(`${sql} WHERE (p.user_id = :user_id)`);
    const inWhere = 'SELECT id FROM t WHERE id IN (SELECT tid FROM x WHERE y = 1 ORDER BY z) ORDER BY id';
    expect(addCondition(inWhere, F)).toBe(
      'SELECT id FROM t WHERE (id IN (SELECT tid FROM x WHERE y = 1 ORDER BY z)) AND (user_id = :user_id) ORDER BY id',
    );
  });

  it('is not fooled by keywords in strings or comments', () => {
    const sql =
      "SELECT id FROM t /* WHERE a */ -- ORDER BY x\nWHERE name <> 'WHERE x ORDER BY y' ORDER BY id";
    expect(addCondition(sql, F)).toBe(
      "SELECT id FROM t /* WHERE a */ -- ORDER BY x\nWHERE (name <> 'WHERE x ORDER BY y') AND (user_id = :user_id) ORDER BY id",
    );
  });

  it('keeps a trailing line comment outside the parentheses', () => {
    expect(addCondition('SELECT id FROM t WHERE a = 1 -- note\nORDER BY id', F)).toBe(
      'SELECT id FROM t WHERE (a = 1) AND (user_id = :user_id) -- note\nORDER BY id',
    );
    expect(addCondition('SELECT id FROM t -- note', F)).toBe(
      'SELECT id FROM t WHERE (user_id = :user_id) -- note',
    );
  });

  it('handles lowercase keywords, newlines and a trailing semicolon', () => {
    expect(addCondition('select id\nfrom t\nwhere\n  a = 1\norder\nby id;\n', F)).toBe(
      'select id\nfrom t\nwhere\n  (a = 1) AND (user_id = :user_id)\norder\nby id;\n',
    );
    expect(addCondition('select id from t;', F)).toBe('select id from t WHERE (user_id = :user_id);');
  });

  it('handles WHERE( without a space and ::int casts', () => {
    expect(addCondition('SELECT a::int FROM t WHERE(a::int > 1)', F)).toBe(
      'SELECT a::int FROM t WHERE((a::int > 1)) AND (user_id = :user_id)',
    );
  });

  it('works on UPDATE and DELETE statements', () => {
    expect(addCondition('UPDATE tasks SET title = :title WHERE id = :id', F)).toBe(
      'UPDATE tasks SET title = :title WHERE (id = :id) AND (user_id = :user_id)',
    );
    expect(addCondition('DELETE FROM tasks', F)).toBe('DELETE FROM tasks WHERE (user_id = :user_id)');
  });

  it('returns the query unchanged for an empty condition (admin filter "")', () => {
    const sql = 'SELECT id FROM t WHERE a = 1';
    expect(addCondition(sql, '')).toBe(sql);
    expect(addCondition(sql, '  ')).toBe(sql);
  });

  it('puts a newline before ) when the condition ends in a line comment', () => {
    expect(addCondition('SELECT id FROM t', 'a = 1 -- why')).toBe('SELECT id FROM t WHERE (a = 1 -- why\n)');
  });

  it('keeps placeholder order so compileNamed args line up', () => {
    const sql = addCondition('SELECT id FROM t WHERE project_id = :project_id ORDER BY id', F);
    expect(compileNamed(sql).names).toEqual(['project_id', 'user_id']);
  });

  it('refuses conditions that try to break out of their parentheses', () => {
    expect(() => addCondition('SELECT id FROM t', '1=1) OR (1=1')).toThrow(SqlError);
    expect(() => addCondition('SELECT id FROM t', '1=1; DROP TABLE t')).toThrow(SqlError);
    expect(() => addCondition('SELECT id FROM t', "a = 'x")).toThrow(SqlError);
  });

  it('refuses a top-level UNION instead of filtering only its last branch', () => {
    expect(() => addCondition('SELECT id FROM a UNION SELECT id FROM b', F)).toThrow(/UNION/);
    // A UNION inside a derived table is fine: the outer query is filtered.
    expect(
      addCondition('SELECT id FROM (SELECT id, user_id FROM a UNION ALL SELECT id, user_id FROM b) u', F),
    ).toBe(
      'SELECT id FROM (SELECT id, user_id FROM a UNION ALL SELECT id, user_id FROM b) u WHERE (user_id = :user_id)',
    );
  });

  it('refuses an empty WHERE', () => {
    expect(() => addCondition('SELECT id FROM t WHERE ORDER BY id', F)).toThrow(/empty WHERE/);
  });
});

describe('replaceOrderBy', () => {
  it('replaces an existing top-level ORDER BY, keeping LIMIT', () => {
    expect(replaceOrderBy('SELECT id FROM t WHERE a = 1 ORDER BY id DESC LIMIT 5', 'name ASC')).toBe(
      'SELECT id FROM t WHERE a = 1 ORDER BY name ASC LIMIT 5',
    );
  });

  it('adds one at the end or before LIMIT, and accepts a leading ORDER BY', () => {
    expect(replaceOrderBy('SELECT id FROM t', 'position ASC')).toBe('SELECT id FROM t ORDER BY position ASC');
    expect(replaceOrderBy('SELECT id FROM t LIMIT 5', 'order by id')).toBe(
      'SELECT id FROM t ORDER BY id LIMIT 5',
    );
  });

  it("does not touch a subquery's or a window function's ORDER BY", () => {
    const sql = 'SELECT id, row_number() OVER (ORDER BY x) r FROM (SELECT * FROM t ORDER BY y) s';
    expect(replaceOrderBy(sql, 'id')).toBe(`${sql} ORDER BY id`);
  });

  it('removes the ORDER BY when given an empty list', () => {
    expect(replaceOrderBy('SELECT id FROM t ORDER BY id LIMIT 3', '')).toBe('SELECT id FROM t  LIMIT 3');
  });

  it('replaces a multi-line ORDER BY but keeps a trailing comment', () => {
    expect(replaceOrderBy('SELECT id FROM t\nORDER\n BY a,\n b -- c', 'id')).toBe(
      'SELECT id FROM t\nORDER BY id -- c',
    );
  });
});

describe('appendLimit', () => {
  it('appends LIMIT ? OFFSET ? at the end, before ; or FOR UPDATE', () => {
    expect(appendLimit('SELECT id FROM t ORDER BY id')).toBe('SELECT id FROM t ORDER BY id LIMIT ? OFFSET ?');
    expect(appendLimit('SELECT id FROM t;')).toBe('SELECT id FROM t LIMIT ? OFFSET ?;');
    expect(appendLimit('SELECT id FROM t FOR UPDATE')).toBe('SELECT id FROM t LIMIT ? OFFSET ? FOR UPDATE');
  });

  it('replaces a top-level LIMIT already present, not a subquery LIMIT', () => {
    expect(appendLimit('SELECT id FROM t ORDER BY id LIMIT 10, 20')).toBe(
      'SELECT id FROM t ORDER BY id LIMIT ? OFFSET ?',
    );
    expect(appendLimit('SELECT id FROM t WHERE id IN (SELECT id FROM u LIMIT 1) LIMIT :n OFFSET 3')).toBe(
      'SELECT id FROM t WHERE id IN (SELECT id FROM u LIMIT 1) LIMIT ? OFFSET ?',
    );
  });

  it('composes with addCondition, replaceOrderBy and compileNamed for a list query', () => {
    let sql = 'SELECT id, title FROM tasks WHERE done = 0 OR priority > :p ORDER BY position';
    sql = addCondition(sql, 'user_id = :user_id');
    sql = addCondition(sql, 'project_id = :project_id');
    sql = replaceOrderBy(sql, 'created_at DESC');
    sql = appendLimit(sql);
    const c = compileNamed(sql);
    expect(c.text).toBe(
      'SELECT id, title FROM tasks WHERE ((done = 0 OR priority > ?) AND (user_id = ?)) AND (project_id = ?) ' +
        'ORDER BY created_at DESC LIMIT ? OFFSET ?',
    );
    expect(c.names).toEqual(['p', 'user_id', 'project_id']);
    expect(c.positional).toBe(2);
  });
});
