import { describe, expect, it } from 'vitest';
import { compileNamed, isIdentifier, placeholderNames, SqlError } from '../src/index.js';

describe('compileNamed', () => {
  it('replaces :name with ? and lists names in order, repeats repeated', () => {
    const r = compileNamed('SELECT * FROM t WHERE user_id = :user_id AND (owner = :user_id OR id = :id)');
    expect(r.text).toBe('SELECT * FROM t WHERE user_id = ? AND (owner = ? OR id = ?)');
    expect(r.names).toEqual(['user_id', 'user_id', 'id']);
    expect(r.positional).toBe(0);
  });

  it('keeps the whole identifier: :project_id2 is not :project_id followed by 2', () => {
    const r = compileNamed('SELECT 1 FROM t WHERE a = :project_id2 AND b = :project_id');
    expect(r.names).toEqual(['project_id2', 'project_id']);
    expect(r.text).toBe('SELECT 1 FROM t WHERE a = ? AND b = ?');
  });

  it('ignores :names inside single-quoted strings, with doubled quotes and backslash escapes', () => {
    const sql = "SELECT 'it''s :a', 'x\\' :b', :c FROM t WHERE t = '12:30' AND u = '23:59:59'";
    const r = compileNamed(sql);
    expect(r.names).toEqual(['c']);
    expect(r.text).toBe("SELECT 'it''s :a', 'x\\' :b', ? FROM t WHERE t = '12:30' AND u = '23:59:59'");
  });

  it('ignores double-quoted and backtick-quoted text', () => {
    const r = compileNamed('SELECT "a :x", `col:y`, `we``ird :z` FROM t WHERE k = :k');
    expect(r.names).toEqual(['k']);
  });

  it('ignores comments of every style', () => {
    const sql = 'SELECT id -- :a\nFROM t # :b\n/* :c\n :d */ WHERE id = :id';
    expect(compileNamed(sql)).toEqual({
      text: 'SELECT id -- :a\nFROM t # :b\n/* :c\n :d */ WHERE id = ?',
      names: ['id'],
      positional: 0,
    });
  });

  it('never treats a :: cast as a placeholder', () => {
    const r = compileNamed('SELECT a::int, b::text FROM t WHERE c = :c::int');
    expect(r.text).toBe('SELECT a::int, b::text FROM t WHERE c = ?::int');
    expect(r.names).toEqual(['c']);
  });

  it('leaves a colon not followed by an identifier start alone', () => {
    const r = compileNamed('SELECT @x := 1, :1 FROM t');
    expect(r.names).toEqual([]);
    expect(r.text).toBe('SELECT @x := 1, :1 FROM t');
  });

  it('counts raw ? markers outside literals', () => {
    expect(compileNamed("SELECT '?' FROM t WHERE a = ? AND b = :b").positional).toBe(1);
  });

  it('refuses a placeholder name that is not an identifier', () => {
    expect(() => compileNamed('SELECT 1 WHERE a = :bad$name')).toThrow(SqlError);
    expect(() => compileNamed(`SELECT 1 WHERE a = :${'x'.repeat(65)}`)).toThrow(/not a valid identifier/);
  });

  it('throws on unterminated literals, comments and parentheses', () => {
    expect(() => compileNamed("SELECT 'abc")).toThrow(/unterminated string/);
    expect(() => compileNamed("SELECT 'abc\\'")).toThrow(SqlError);
    expect(() => compileNamed('SELECT `abc')).toThrow(/unterminated quoted identifier/);
    expect(() => compileNamed('SELECT /* x')).toThrow(/unterminated/);
    expect(() => compileNamed('SELECT (1')).toThrow(/unclosed/);
    expect(() => compileNamed('SELECT 1)')).toThrow(/unbalanced/);
  });

  it('treats -- without a following space as arithmetic (MySQL rule)', () => {
    expect(compileNamed('SELECT 1--1, :a').names).toEqual(['a']);
  });
});

describe('placeholderNames', () => {
  it('returns unique names in order of first appearance', () => {
    expect(placeholderNames('SELECT :b, :a, :b, :c')).toEqual(['b', 'a', 'c']);
  });
});

describe('isIdentifier', () => {
  it('accepts [A-Za-z_][A-Za-z0-9_]{0,63}', () => {
    expect(isIdentifier('user_id')).toBe(true);
    expect(isIdentifier('_x9')).toBe(true);
    expect(isIdentifier('a'.repeat(64))).toBe(true);
  });
  it('rejects anything else', () => {
    for (const bad of ['', '9a', 'a-b', 'a b', 'a;', 'é', 'a'.repeat(65), 'users`', 'a.b']) {
      expect(isIdentifier(bad), bad).toBe(false);
    }
  });
});
