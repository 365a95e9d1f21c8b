import { SqlError } from './errors.js';
import { isSignificant, type SqlToken, scanSql } from './scanner.js';

/** Character offsets of the top-level clauses of one statement (each points at the clause's first keyword). */
export interface TopLevelClauses {
  where?: number;
  groupBy?: number;
  having?: number;
  window?: number; // WINDOW w AS (...)
  orderBy?: number;
  limit?: number;
  /** FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE. */
  locking?: number;
  /** UNION / INTERSECT / EXCEPT at top level: the rewriting helpers refuse such queries. */
  union?: number;
  /** Offset of the top-level `;` ending the statement, if any. */
  semicolon?: number;
  /** Offset just past the last significant token of the statement (before a `;`, trailing spaces/comments). */
  end: number;
}

type ClauseName = Exclude<keyof TopLevelClauses, 'end'>;

/** Significant tokens outside any parentheses, in order. */
function topLevel(tokens: SqlToken[]): SqlToken[] {
  return tokens.filter((t) => t.depth === 0 && isSignificant(t));
}

const isKeyword = (t: SqlToken | undefined, word: string): boolean =>
  t !== undefined && t.type === 'word' && !t.qualified && t.value === word;

/** Finds the top-level clauses of `sql` (case-insensitive, word-bounded, ignoring literals/comments/subqueries). */
export function findTopLevelClauses(sql: string): TopLevelClauses {
  return clausesOf(scanSql(sql));
}

/** Same as findTopLevelClauses, from already-scanned tokens. */
export function clausesOf(tokens: SqlToken[]): TopLevelClauses {
  const top = topLevel(tokens);
  const found: Partial<Record<ClauseName, number>> = {};
  let end = 0;
  const mark = (name: ClauseName, tok: SqlToken): void => {
    if (found[name] !== undefined) throw new SqlError(`more than one top-level ${name} clause`, tok.start);
    found[name] = tok.start;
  };
  for (let k = 0; k < top.length; k++) {
    const t = top[k]!;
    if (t.type === 'semicolon') {
      const rest = top.slice(k + 1);
      if (rest.length > 0) throw new SqlError('only one statement is allowed', rest[0]!.start);
      found.semicolon = t.start;
      break;
    }
    end = t.end;
    const next = top[k + 1];
    if (isKeyword(t, 'where')) mark('where', t);
    else if (isKeyword(t, 'group') && isKeyword(next, 'by')) mark('groupBy', t);
    else if (isKeyword(t, 'having')) mark('having', t);
    else if (isKeyword(t, 'order') && isKeyword(next, 'by')) mark('orderBy', t);
    else if (isKeyword(t, 'limit')) mark('limit', t);
    else if (isKeyword(t, 'window') && next?.type === 'word' && isKeyword(top[k + 2], 'as'))
      mark('window', t);
    else if (isKeyword(t, 'for') && (isKeyword(next, 'update') || isKeyword(next, 'share')))
      mark('locking', t);
    else if (isKeyword(t, 'lock') && isKeyword(next, 'in')) mark('locking', t);
    else if (
      (isKeyword(t, 'union') || isKeyword(t, 'intersect') || isKeyword(t, 'except')) &&
      found.union === undefined
    )
      found.union = t.start;
  }
  return { ...found, end };
}

/** Clause start offsets in text order, used to find where a clause's text stops. */
export function clauseBoundaries(c: TopLevelClauses): number[] {
  const names: ClauseName[] = ['where', 'groupBy', 'having', 'window', 'orderBy', 'limit', 'locking'];
  return names
    .map((name) => c[name])
    .filter((o): o is number => o !== undefined)
    .sort((a, b) => a - b);
}
