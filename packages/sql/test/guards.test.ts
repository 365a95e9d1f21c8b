// Table-driven tests of what keeps a tenant's filter in force: the scanner's token boundaries, the clause
// detector (qualified names, locking, set operations, duplicates) and the rewrite guards. Each row pins a
// behaviour that mutation testing (`pnpm test:mutation sql`, docs/MUTATION.md) found unpinned.
import { describe, expect, it } from 'vitest';
import { clauseBoundaries } from '../src/clauses.js';
import {
  addCondition,
  appendLimit,
  findTopLevelClauses,
  replaceOrderBy,
  SqlError,
  scanSql,
} from '../src/index.js';

const F = 'user_id = :user_id';

/** `type:text` for every token, after checking the tokens tile the input exactly (no gap, no overlap). */
function tokens(sql: string): string[] {
  const toks = scanSql(sql);
  let pos = 0;
  for (const t of toks) {
    expect(t.start).toBe(pos);
    expect(t.end).toBeGreaterThan(t.start);
    pos = t.end;
  }
  expect(pos).toBe(sql.length);
  return toks.map((t) => `${t.type}:${sql.slice(t.start, t.end)}`);
}

function sqlError(run: () => unknown): SqlError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    return err as SqlError;
  }
  throw new Error('expected a SqlError');
}

describe('scanSql token boundaries', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'every token type',
      "(a)::b 'c' `d` 1 ? ; + -- e",
      [
        'open:(',
        'word:a',
        'close:)',
        'cast:::',
        'word:b',
        'space: ',
        "string:'c'",
        'space: ',
        'quoted:`d`',
        'space: ',
        'number:1',
        'space: ',
        'positional:?',
        'space: ',
        'semicolon:;',
        'space: ',
        'punct:+',
        'space: ',
        'comment:-- e',
      ],
    ],
    [
      'every whitespace character is one space token',
      'a\tb\nc\rd\fe\vf g',
      [
        'word:a',
        'space:\t',
        'word:b',
        'space:\n',
        'word:c',
        'space:\r',
        'word:d',
        'space:\f',
        'word:e',
        'space:\v',
        'word:f',
        'space: ',
        'word:g',
      ],
    ],
    [
      'digits 0 and 9, decimals, exponents and hex are one number each',
      '0 9 1.5 1e-3 2E+4 0x1F',
      [
        'number:0',
        'space: ',
        'number:9',
        'space: ',
        'number:1.5',
        'space: ',
        'number:1e-3',
        'space: ',
        'number:2E+4',
        'space: ',
        'number:0x1F',
      ],
    ],
    [
      'an exponent sign only follows e/E',
      '1-2 3e4',
      ['number:1', 'punct:-', 'number:2', 'space: ', 'number:3e4'],
    ],
    [
      'non-ASCII letters (from U+0080) start and continue words',
      '\u0080x aé',
      ['word:\u0080x', 'space: ', 'word:aé'],
    ],
    [
      '-- needs a space after it, or the end of the text',
      '1--1 -  2 --',
      [
        'number:1',
        'punct:-',
        'punct:-',
        'number:1',
        'space: ',
        'punct:-',
        'space:  ',
        'number:2',
        'space: ',
        'comment:--',
      ],
    ],
    [
      '# and -- comments stop before the newline',
      '# x\n-- y\nz',
      ['comment:# x', 'space:\n', 'comment:-- y', 'space:\n', 'word:z'],
    ],
    [
      'a block comment closes after its opening',
      '/*/ x */a / b',
      ['comment:/*/ x */', 'word:a', 'space: ', 'punct:/', 'space: ', 'word:b'],
    ],
    [
      'doubled quotes stay inside one literal',
      "'it''s' `a``b`",
      ["string:'it''s'", 'space: ', 'quoted:`a``b`'],
    ],
    [
      'a backslash escapes in strings but not in backtick identifiers',
      "'a\\'b' `c\\`",
      ["string:'a\\'b'", 'space: ', 'quoted:`c\\`'],
    ],
    [
      'a dash after another operator is not a comment',
      'a =- 1',
      ['word:a', 'space: ', 'punct:=', 'punct:-', 'space: ', 'number:1'],
    ],
    [
      'a hex number ending in e stops before the next character',
      '(0x1E)',
      ['open:(', 'number:0x1E', 'close:)'],
    ],
    ['a trailing colon is punctuation, not an empty placeholder', 'a :', ['word:a', 'space: ', 'punct::']],
  ];
  it.each(cases)('%s', (_name, sql, expected) => {
    expect(tokens(sql)).toEqual(expected);
  });

  it('marks a word after "." as qualified, across spaces and comments, and only after "."', () => {
    const qualified = (sql: string) =>
      scanSql(sql)
        .filter((t) => t.type === 'word')
        .map((t) => `${t.value}${t.qualified ? '*' : ''}`);
    expect(qualified('x.where')).toEqual(['x', 'where*']);
    expect(qualified('x. where')).toEqual(['x', 'where*']);
    expect(qualified('x./* c */limit')).toEqual(['x', 'limit*']);
    expect(qualified('x - where, y')).toEqual(['x', 'where', 'y']);
  });

  it('gives parentheses the depth outside them', () => {
    expect(scanSql('(a)').map((t) => t.depth)).toEqual([0, 1, 0]);
  });
});

describe('SqlError', () => {
  it('names itself and appends the offset when there is one, even 0', () => {
    expect(new SqlError('bad')).toMatchObject({ name: 'SqlError', message: 'bad', offset: undefined });
    expect(new SqlError('bad', 0)).toMatchObject({ message: 'bad (at offset 0)', offset: 0 });
    expect(new SqlError('bad', 7).message).toBe('bad (at offset 7)');
  });
});

describe('findTopLevelClauses: what is and is not a clause', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['qualified names are never clauses', 'SELECT x.where, x.limit, x.order, y.union FROM t', {}],
    [
      'qualified names after a real clause',
      'SELECT a FROM t WHERE t.limit > 1 ORDER BY t.for',
      { where: 'WHERE', orderBy: 'ORDER' },
    ],
    ['placeholders named like keywords are not clauses', 'SELECT :where, :limit FROM t', {}],
    ['a keyword at the very end is not followed by anything', 'SELECT a FROM t group', {}],
    ['ORDER without BY is a name', 'SELECT a order FROM t', {}],
    ['an alias followed by AS is not a WINDOW', 'SELECT a AS b FROM t', {}],
    ['WINDOW at the very end', 'SELECT a FROM t window', {}],
    ['FOR UPDATE', 'SELECT a FROM t FOR UPDATE', { locking: 'FOR' }],
    ['FOR SHARE', 'SELECT a FROM t FOR SHARE', { locking: 'FOR' }],
    ['LOCK IN SHARE MODE', 'SELECT a FROM t LIMIT 1 LOCK IN SHARE MODE', { limit: 'LIMIT', locking: 'LOCK' }],
    ['FOR SYSTEM_TIME is not a lock', 'SELECT a FROM t FOR SYSTEM_TIME ALL', {}],
    [
      'ON DUPLICATE KEY UPDATE is not a lock',
      'INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2',
      {},
    ],
    ['INTERSECT', 'SELECT a FROM t INTERSECT SELECT a FROM u', { union: 'INTERSECT' }],
    ['EXCEPT', 'SELECT a FROM t EXCEPT SELECT a FROM u', { union: 'EXCEPT' }],
    ['the first of several set operations', 'SELECT 1 UNION SELECT 2 EXCEPT SELECT 3', { union: 'UNION' }],
  ];
  it.each(cases)('%s', (_name, sql, expected) => {
    const offsets = Object.fromEntries(Object.entries(expected).map(([k, word]) => [k, sql.indexOf(word)]));
    expect(findTopLevelClauses(sql)).toEqual({ ...offsets, end: sql.length });
  });

  // [sql, clause name, the keyword of the second clause]
  const duplicates: Array<[string, string, string]> = [
    ['SELECT a FROM t WHERE a = 1 WHERE b = 2', 'where', 'WHERE'],
    ['SELECT a FROM t LIMIT 1 LIMIT 2', 'limit', 'LIMIT'],
    ['SELECT a FROM t ORDER BY a ORDER BY b', 'orderBy', 'ORDER'],
    ['SELECT a FROM t GROUP BY a GROUP BY b', 'groupBy', 'GROUP'],
    ['SELECT a FROM t FOR UPDATE LOCK IN SHARE MODE', 'locking', 'LOCK'],
  ];
  it.each(duplicates)('refuses a duplicate top-level clause: %s', (sql, name, second) => {
    expect(sqlError(() => findTopLevelClauses(sql)).message).toBe(
      `more than one top-level ${name} clause (at offset ${sql.lastIndexOf(second)})`,
    );
  });

  it('refuses a second statement with a message that says so', () => {
    expect(sqlError(() => findTopLevelClauses('SELECT 1; SELECT 2')).message).toBe(
      'only one statement is allowed (at offset 10)',
    );
  });
});

describe('clauseBoundaries', () => {
  it('lists every clause start (not the set operation nor the ";") in text order', () => {
    const c = { where: 50, groupBy: 10, having: 30, window: 40, orderBy: 20, limit: 60, locking: 5 };
    expect(clauseBoundaries({ ...c, union: 1, semicolon: 99, end: 98 })).toEqual([5, 10, 20, 30, 40, 50, 60]);
    expect(clauseBoundaries({ end: 3 })).toEqual([]);
  });
});

describe('rewrites refuse what they cannot filter safely', () => {
  const refused: Array<[string, () => unknown, RegExp]> = [
    [
      'top-level INTERSECT',
      () => addCondition('SELECT id FROM a INTERSECT SELECT id FROM b', F),
      /INTERSECT/,
    ],
    ['top-level EXCEPT', () => addCondition('SELECT id FROM a EXCEPT SELECT id FROM b', F), /EXCEPT/],
    ['UNION on ORDER BY', () => replaceOrderBy('SELECT id FROM a UNION SELECT id FROM b', 'id'), /UNION/],
    ['UNION on LIMIT', () => appendLimit('SELECT id FROM a UNION SELECT id FROM b'), /UNION/],
    ['WHERE at the end', () => addCondition('SELECT id FROM t WHERE', F), /empty WHERE clause/],
    ['WHERE right before ;', () => addCondition('SELECT id FROM t WHERE;', F), /empty WHERE clause/],
    [
      'WHERE then a comment only',
      () => addCondition('SELECT id FROM t WHERE -- x\n', F),
      /empty WHERE clause/,
    ],
    [
      'a ; in the condition',
      () => addCondition('SELECT id FROM t', 'a = 1; DROP TABLE t'),
      /^condition must not contain ";"/,
    ],
    [
      'a ; in the ORDER BY list',
      () => replaceOrderBy('SELECT id FROM t', 'id; DROP TABLE t'),
      /^ORDER BY list must not contain ";"/,
    ],
  ];
  it.each(refused)('%s', (_name, run, message) => {
    expect(sqlError(run).message).toMatch(message);
  });
});

describe('rewrites splice at the right offsets', () => {
  const cases: Array<[string, () => string, string]> = [
    [
      'WHERE( with a space inside keeps the original parenthesis',
      () => addCondition('SELECT id FROM t WHERE( a = 1 OR b = 2)', F),
      'SELECT id FROM t WHERE(( a = 1 OR b = 2)) AND (user_id = :user_id)',
    ],
    [
      'a space is added before a clause glued to a quoted name',
      () => addCondition('SELECT id FROM `t`ORDER BY id', F),
      'SELECT id FROM `t` WHERE (user_id = :user_id) ORDER BY id',
    ],
    [
      'no space is added before a clause at offset 0',
      () => replaceOrderBy('LIMIT 1', 'id'),
      'ORDER BY id LIMIT 1',
    ],
    [
      'a condition ending in a block comment needs no newline',
      () => addCondition('SELECT id FROM t', 'a = 1 /* x */'),
      'SELECT id FROM t WHERE (a = 1 /* x */)',
    ],
    [
      'a condition opening with a block comment and ending in a line comment gets the newline',
      () => addCondition('SELECT id FROM t', '/* x */ a = 1 -- y'),
      'SELECT id FROM t WHERE (/* x */ a = 1 -- y\n)',
    ],
    [
      'an empty ORDER BY on a query without one changes nothing',
      () => replaceOrderBy('SELECT id FROM t', ' '),
      'SELECT id FROM t',
    ],
    [
      'ORDER BY goes before FOR UPDATE when there is no LIMIT',
      () => replaceOrderBy('SELECT id FROM t FOR UPDATE', 'id'),
      'SELECT id FROM t ORDER BY id FOR UPDATE',
    ],
    [
      'an ORDER BY list ending in a line comment keeps LIMIT on the next line',
      () => replaceOrderBy('SELECT id FROM t LIMIT 1', 'id -- why'),
      'SELECT id FROM t ORDER BY id -- why\n LIMIT 1',
    ],
    [
      'a leading "order by" is stripped across several spaces and newlines',
      () => replaceOrderBy('SELECT id FROM t', ' ORDER \n BY id'),
      'SELECT id FROM t ORDER BY id',
    ],
    [
      'only a leading "order by" is stripped',
      () => replaceOrderBy('SELECT id FROM t', 'id /* order by */'),
      'SELECT id FROM t ORDER BY id /* order by */',
    ],
  ];
  it.each(cases)('%s', (_name, run, expected) => {
    expect(run()).toBe(expected);
  });
});
