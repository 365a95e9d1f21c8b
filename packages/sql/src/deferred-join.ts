import { clausesOf } from './clauses.js';
import { isSignificant, type SqlToken, scanSql } from './scanner.js';

// A deep OFFSET makes the database build every skipped row (all its columns) only to throw it away. The
// deferred join pages over the primary key alone — which a covering index answers — and fetches the full
// rows of the one page it kept:
//   SELECT cols FROM t JOIN (SELECT id FROM t WHERE … ORDER BY … LIMIT ? OFFSET ?) AS sogoms_page USING (id)
//   ORDER BY …
// Only for the shape where that is the same query: one table in FROM, no GROUP BY / HAVING / DISTINCT /
// window / locking / UNION.

const MODIFIERS = new Set(['distinct', 'distinctrow', 'all', 'high_priority', 'straight_join']);
const FROM_ENDERS = new Set(['join', 'inner', 'left', 'right', 'cross', 'natural', 'straight_join', 'using']);
const PAGE_ALIAS = 'sogoms_page';

const isWord = (t: SqlToken | undefined, word: string): boolean =>
  t !== undefined && t.type === 'word' && !t.qualified && t.value === word;

const isName = (t: SqlToken | undefined): boolean =>
  t !== undefined && ((t.type === 'word' && !t.qualified) || t.type === 'quoted');

/**
 * Rewrites a paginated list statement (top-level `ORDER BY … LIMIT ? OFFSET ?`, as appendLimit leaves it) into
 * its deferred-join form keyed on `key` (a plain identifier). Returns undefined when the shape does not allow
 * it: the caller runs the statement as it is. The `?` markers keep their order (limit, then offset, last).
 */
export function deferredJoin(sql: string, key: string): string | undefined {
  let tokens: SqlToken[];
  let clauses: ReturnType<typeof clausesOf>;
  try {
    tokens = scanSql(sql);
    clauses = clausesOf(tokens);
  } catch {
    return undefined;
  }
  const { where, orderBy, limit } = clauses;
  if (orderBy === undefined || limit === undefined || orderBy > limit) return undefined;
  if (clauses.union !== undefined || clauses.groupBy !== undefined || clauses.having !== undefined) return;
  if (clauses.window !== undefined || clauses.locking !== undefined) return undefined;
  const top = tokens.filter((t) => t.depth === 0 && isSignificant(t));
  if (!isWord(top[0], 'select') || (top[1]?.type === 'word' && MODIFIERS.has(top[1].value!))) return;
  const fromIndex = top.findIndex((t) => isWord(t, 'from'));
  if (fromIndex < 0) return undefined;
  // FROM must be `table`, `table alias` or `table AS alias`, up to the first clause.
  const fromStop = where ?? orderBy;
  const fromTokens = top.filter((t) => t.start > top[fromIndex]!.start && t.start < fromStop);
  if (fromTokens.some((t) => t.type !== 'word' && t.type !== 'quoted')) return undefined;
  if (fromTokens.some((t) => t.type === 'word' && FROM_ENDERS.has(t.value!))) return undefined;
  const [table, second, third] = fromTokens;
  const shapeOk =
    (fromTokens.length === 1 && isName(table)) ||
    (fromTokens.length === 2 && isName(table) && isName(second) && !isWord(second, 'as')) ||
    (fromTokens.length === 3 && isName(table) && isWord(second, 'as') && isName(third));
  if (!shapeOk) return undefined;
  // Named markers keep their text order (select list, then WHERE), and LIMIT ? OFFSET ? stays last.
  const fromText = sql.slice(top[fromIndex]!.start, fromTokens.at(-1)!.end);
  const limitText = sql.slice(limit, codeEnd(tokens, limit, clauses.end));
  const orderText = sql.slice(orderBy, codeEnd(tokens, orderBy, limit));
  const filtered = where === undefined ? '' : ` ${sql.slice(where, codeEnd(tokens, where, orderBy))}`;
  const inner = `SELECT ${key} ${fromText}${filtered} ${orderText} ${limitText}`;
  return `${sql.slice(0, top[fromIndex]!.start)}${fromText} JOIN (${inner}) AS ${PAGE_ALIAS} USING (${key}) ${orderText}`;
}

/** End of the last significant token in [from, stop). */
function codeEnd(tokens: SqlToken[], from: number, stop: number): number {
  let end = from;
  for (const t of tokens) {
    if (t.start >= stop) break;
    if (t.start >= from && isSignificant(t)) end = t.end;
  }
  return end;
}
