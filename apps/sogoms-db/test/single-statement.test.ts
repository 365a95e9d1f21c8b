// The one-statement check and the session-statement check, on the SQL shapes that trip naive scanners.
import { describe, expect, it } from 'vitest';
import { changesSessionState, firstKeyword, isSingleStatement } from '../src/single-statement.js';

describe('isSingleStatement', () => {
  const both = ['mysql', 'sqlite'] as const;

  it.each([
    'SELECT 1',
    'SELECT 1;',
    'SELECT 1 ;  \n',
    'SELECT 1; -- done',
    'SELECT 1; /* done */',
    "SELECT 'a;b' AS s",
    'SELECT "a;b" AS s',
    'SELECT `we;ird` FROM t',
    "SELECT 'it''s; fine'",
    'SELECT 1 -- ; not a statement\n',
    'SELECT 1 /* ; */ + 2',
  ])('accepts %j on both dialects', (sql) => {
    for (const dialect of both) expect(isSingleStatement(sql, dialect), dialect).toBe(true);
  });

  it.each([
    'SELECT 1; SELECT 2',
    'SELECT 1;;',
    "SELECT ';'; DELETE FROM t",
    'SELECT 1; -- c\nDROP TABLE t',
    'SELECT 1 /* a */; /* b */ SELECT 2',
  ])('refuses %j on both dialects', (sql) => {
    for (const dialect of both) expect(isSingleStatement(sql, dialect), dialect).toBe(false);
  });

  it('follows each dialect on backslashes, # comments, [identifiers] and executable comments', () => {
    // MySQL: \' escapes the quote, so the ; is inside the string. SQLite: the string ends at \', the ; splits.
    const backslash = "SELECT 'a\\'; DELETE FROM t; '";
    expect(isSingleStatement(backslash, 'mysql')).toBe(true);
    expect(isSingleStatement("SELECT 'a\\'; DELETE FROM t", 'sqlite')).toBe(false);
    expect(isSingleStatement('SELECT 1 # ; note', 'mysql')).toBe(true);
    expect(isSingleStatement('SELECT [a;b] FROM t', 'sqlite')).toBe(true);
    // MySQL runs the body of /*! ... */: a ; there separates statements.
    expect(isSingleStatement('SELECT 1 /*!; DROP TABLE t */', 'mysql')).toBe(false);
    expect(isSingleStatement('SELECT 1 /*!; DROP TABLE t */', 'sqlite')).toBe(true);
    // MySQL needs a space after --: 1--1 is arithmetic and what follows is code.
    expect(isSingleStatement('SELECT 1--1; DROP TABLE t', 'mysql')).toBe(false);
  });
});

describe('changesSessionState', () => {
  it.each([
    'BEGIN',
    'begin transaction',
    'START TRANSACTION',
    '  /* c */ COMMIT',
    '-- c\nROLLBACK',
    'SAVEPOINT a',
    'SET time_zone = "+01:00"',
    'USE other_db',
    'PRAGMA foreign_keys = OFF',
    'LOCK TABLES t WRITE',
    "ATTACH DATABASE 'x.db' AS x",
  ])('flags %j', (sql) => {
    expect(changesSessionState(sql)).toBe(true);
  });

  it.each([
    'SELECT 1',
    '(SELECT 1)',
    'INSERT INTO t VALUES (1)',
    'UPDATE t SET a = 1',
    'WITH x AS (SELECT 1) SELECT * FROM x',
  ])('lets %j through', (sql) => {
    expect(changesSessionState(sql)).toBe(false);
  });

  it('firstKeyword skips layout and lower-cases', () => {
    expect(firstKeyword(' \n/* x */ -- y\n# z\n InSeRt INTO t')).toBe('insert');
    expect(firstKeyword('  ')).toBeUndefined();
  });
});
