import { SqlError } from './errors.js';

// A hand-written lexer for the MySQL/SQLite subset SOGOMS queries use. It only needs to know what is *not*
// SQL code (literals, quoted identifiers, comments), where parentheses nest, and where words and `:name`
// placeholders are, so that rewrites never touch text inside a string, an identifier or a subquery.

export type SqlTokenType =
  | 'word' // unquoted identifier or keyword
  | 'placeholder' // :name (text excludes nothing: start points at the colon)
  | 'string' // '...' or "..." (MySQL treats double quotes as strings by default)
  | 'quoted' // `identifier`
  | 'number'
  | 'comment' // -- ..., # ..., /* ... */
  | 'space'
  | 'open' // (
  | 'close' // )
  | 'cast' // :: (PostgreSQL-style cast; never a placeholder)
  | 'positional' // ?
  | 'semicolon'
  | 'punct'; // any other operator character

export interface SqlToken {
  type: SqlTokenType;
  start: number;
  end: number; // exclusive
  /** Parenthesis depth the token sits at; `(` and `)` carry the depth outside them. */
  depth: number;
  /** Lower-cased word for 'word', the name for 'placeholder'. */
  value?: string;
  /** For 'word': preceded by `.` (a qualified name like t.order), so never a keyword. */
  qualified?: boolean;
}

const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80;
const isWordPart = (c: string): boolean => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Splits SQL text into tokens; throws SqlError on unterminated literals/comments or unbalanced parentheses. */
export function scanSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  let depth = 0;
  let lastSignificant: SqlToken | undefined;
  const push = (type: SqlTokenType, start: number, end: number, extra?: Partial<SqlToken>): void => {
    const tok: SqlToken = { type, start, end, depth, ...extra };
    tokens.push(tok);
    if (type !== 'space' && type !== 'comment') lastSignificant = tok;
  };

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1] ?? '';
    const start = i;
    if (isSpace(c)) {
      while (i < n && isSpace(sql[i]!)) i++;
      push('space', start, i);
    } else if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c, true);
      push('string', start, i);
    } else if (c === '`') {
      i = skipQuoted(sql, i, '`', false);
      push('quoted', start, i);
    } else if (c === '#' || (c === '-' && next === '-' && (i + 2 >= n || isSpace(sql[i + 2]!)))) {
      // MySQL needs whitespace after `--` (so `1--1` stays arithmetic); SQLite accepts that form too.
      while (i < n && sql[i] !== '\n') i++;
      push('comment', start, i);
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new SqlError('unterminated /* comment', start);
      i = close + 2;
      push('comment', start, i);
    } else if (c === '(') {
      push('open', start, ++i);
      depth++;
    } else if (c === ')') {
      if (depth === 0) throw new SqlError('unbalanced ")"', start);
      depth--;
      push('close', start, ++i);
    } else if (c === ':' && next === ':') {
      i += 2;
      push('cast', start, i);
    } else if (c === ':' && isWordStart(next)) {
      i++;
      while (i < n && isWordPart(sql[i]!)) i++;
      push('placeholder', start, i, { value: sql.slice(start + 1, i) });
    } else if (isWordStart(c)) {
      while (i < n && isWordPart(sql[i]!)) i++;
      const qualified = lastSignificant?.type === 'punct' && sql[lastSignificant.start] === '.';
      push('word', start, i, { value: sql.slice(start, i).toLowerCase(), qualified });
    } else if (isDigit(c)) {
      // Covers 12, 1.5, 1e-3, 0x1F; a stray `12:30` outside quotes stays number, ':' punct, number.
      while (i < n && (isWordPart(sql[i]!) || sql[i] === '.')) {
        if ((sql[i] === 'e' || sql[i] === 'E') && (sql[i + 1] === '-' || sql[i + 1] === '+')) i++;
        i++;
      }
      push('number', start, i);
    } else if (c === '?') {
      push('positional', start, ++i);
    } else if (c === ';') {
      push('semicolon', start, ++i);
    } else {
      push('punct', start, ++i);
    }
  }
  if (depth !== 0) throw new SqlError('unclosed "("', n);
  return tokens;
}

/** Returns the offset just past the closing quote; doubled quotes (and backslashes in strings) escape. */
function skipQuoted(sql: string, open: number, quote: string, backslash: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslash && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  const what = quote === '`' ? 'quoted identifier' : 'string literal';
  throw new SqlError(`unterminated ${what} (opened with ${quote})`, open);
}

/** True for a token that is SQL code rather than layout. */
export function isSignificant(tok: SqlToken): boolean {
  return tok.type !== 'space' && tok.type !== 'comment';
}
