import { clauseBoundaries, clausesOf, type TopLevelClauses } from './clauses.js';
import { SqlError } from './errors.js';
import { isSignificant, type SqlToken, scanSql } from './scanner.js';

// Query rewrites used by the gateway's generic CRUD. Each one scans the query, refuses shapes it cannot
// rewrite safely (top-level UNION, several statements), and splices text only at top-level clause boundaries.

interface Scanned {
  sql: string;
  tokens: SqlToken[];
  clauses: TopLevelClauses;
}

function scanStatement(sql: string): Scanned {
  const tokens = scanSql(sql);
  const clauses = clausesOf(tokens);
  if (clauses.union !== undefined) {
    throw new SqlError(
      'top-level UNION/INTERSECT/EXCEPT cannot be filtered; wrap it in a subquery',
      clauses.union,
    );
  }
  return { sql, tokens, clauses };
}

/** Where the clause starting at `start` stops: the next clause, the `;`, or the end of the text. */
function clauseStop(s: Scanned, start: number): number {
  const next = clauseBoundaries(s.clauses).find((o) => o > start);
  return next ?? s.clauses.semicolon ?? s.sql.length;
}

/** End offset of the last significant token ending at or before `limit` (so trailing comments stay outside). */
function codeEndBefore(tokens: SqlToken[], limit: number, floor: number): number {
  let end = floor;
  for (const t of tokens) {
    if (t.end > limit) break;
    if (isSignificant(t) && t.end > end) end = t.end;
  }
  return end;
}

/** Offset of the first significant token at or after `from`. */
function codeStartAfter(tokens: SqlToken[], from: number): number | undefined {
  return tokens.find((t) => t.start >= from && isSignificant(t))?.start;
}

/** Validates a fragment (condition, ORDER BY list) and parenthesis-safe-wraps it; '' when it is empty. */
function fragment(text: string, what: string): { code: string; endsInLineComment: boolean } {
  const code = text.trim();
  const tokens = scanSql(code);
  const semi = tokens.find((t) => t.type === 'semicolon');
  if (semi) throw new SqlError(`${what} must not contain ";"`, semi.start);
  const last = tokens.at(-1);
  const endsInLineComment = last?.type === 'comment' && !code.slice(last.start).startsWith('/*');
  return { code, endsInLineComment };
}

/** Inserts `text` before the keyword at `offset`, keeping one space on each side. */
function insertBefore(sql: string, offset: number, text: string): string {
  const before = offset > 0 && !/\s/.test(sql[offset - 1]!) ? ' ' : '';
  return sql.slice(0, offset) + before + text + ' ' + sql.slice(offset);
}

/**
 * ANDs `condition` into the top-level WHERE as `WHERE (existing) AND (condition)`, or inserts
 * `WHERE (condition)` before the top-level GROUP BY / HAVING / WINDOW / ORDER BY / LIMIT / FOR UPDATE or at the
 * end. An empty condition returns `sql` unchanged. Throws SqlError on a top-level UNION.
 */
export function addCondition(sql: string, condition: string): string {
  const cond = fragment(condition, 'condition');
  if (cond.code === '') return sql;
  const wrapped = cond.endsInLineComment ? `(${cond.code}\n)` : `(${cond.code})`;
  const s = scanStatement(sql);
  const { where } = s.clauses;
  if (where !== undefined) {
    const afterKeyword = where + 'where'.length;
    const stop = clauseStop(s, where);
    const exprStart = codeStartAfter(s.tokens, afterKeyword);
    const exprEnd = codeEndBefore(s.tokens, stop, afterKeyword);
    if (exprStart === undefined || exprStart >= exprEnd) throw new SqlError('empty WHERE clause', where);
    return `${sql.slice(0, exprStart)}(${sql.slice(exprStart, exprEnd)}) AND ${wrapped}${sql.slice(exprEnd)}`;
  }
  const at = clauseBoundaries(s.clauses)[0];
  if (at !== undefined) return insertBefore(sql, at, `WHERE ${wrapped}`);
  const end = s.clauses.end;
  return `${sql.slice(0, end)} WHERE ${wrapped}${sql.slice(end)}`;
}

/** Replaces `[from, clause end)` with `text` when the clause exists, else inserts it before `beforeOffsets`. */
function setTailClause(
  s: Scanned,
  existing: number | undefined,
  text: string,
  before: Array<number | undefined>,
) {
  const { sql } = s;
  if (existing !== undefined) {
    const end = codeEndBefore(s.tokens, clauseStop(s, existing), existing);
    return sql.slice(0, existing) + text + sql.slice(end);
  }
  if (text === '') return sql;
  const at = before.find((o) => o !== undefined);
  if (at !== undefined) return insertBefore(sql, at, text);
  return `${sql.slice(0, s.clauses.end)} ${text}${sql.slice(s.clauses.end)}`;
}

/**
 * Sets the top-level ORDER BY to `orderBy` ("name ASC, id" — a leading "ORDER BY" is accepted), replacing an
 * existing one; an empty `orderBy` removes it. Subqueries' and window functions' ORDER BY are left alone.
 */
export function replaceOrderBy(sql: string, orderBy: string): string {
  const body = fragment(orderBy.replace(/^\s*order\s+by\b/i, ''), 'ORDER BY list');
  const s = scanStatement(sql);
  const text = body.code === '' ? '' : `ORDER BY ${body.code}${body.endsInLineComment ? '\n' : ''}`;
  return setTailClause(s, s.clauses.orderBy, text, [s.clauses.limit, s.clauses.locking]);
}

/**
 * Puts `LIMIT ? OFFSET ?` on the statement for pagination (args: limit, then offset, after every other
 * placeholder). A top-level LIMIT already in the query is replaced: pagination owns the row window.
 */
export function appendLimit(sql: string): string {
  const s = scanStatement(sql);
  return setTailClause(s, s.clauses.limit, 'LIMIT ? OFFSET ?', [s.clauses.locking]);
}
