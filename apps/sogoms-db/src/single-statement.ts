// One statement per call (SPEC §6). Both drivers already refuse a second statement (mysql2 runs without
// multipleStatements, better-sqlite3's prepare throws), but this check answers BAD_REQUEST before any driver
// sees the text, with the same verdict on both.

export type SqlDialect = 'mysql' | 'sqlite';

/**
 * True when `sql` holds one statement: no `;` outside string literals, quoted identifiers and comments,
 * except a single trailing one (followed only by spaces and comments).
 */
export function isSingleStatement(sql: string, dialect: SqlDialect): boolean {
  // Fast path for the common case: most queries contain no semicolon at all.
  if (!sql.includes(';')) return true;
  const n = sql.length;
  // MySQL strings treat backslash as an escape (default sql_mode); SQLite strings do not.
  const backslash = dialect === 'mysql';
  let i = 0;
  let sawEnd = false;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (sawEnd) {
      // After the terminating `;` only layout may follow.
      if (isSpace(c)) i++;
      else if (c === HASH && dialect === 'mysql') i = lineEnd(sql, i);
      else if (isDashComment(sql, i, dialect)) i = lineEnd(sql, i);
      else if (c === SLASH && sql.charCodeAt(i + 1) === STAR && !isExecutableComment(sql, i, dialect))
        i = blockEnd(sql, i);
      else return false;
      continue;
    }
    if (c === QUOTE || c === DQUOTE) i = quotedEnd(sql, i, c, backslash);
    else if (c === BACKTICK || (c === BRACKET && dialect === 'sqlite'))
      i = quotedEnd(sql, i, c === BRACKET ? CLOSE_BRACKET : c, false);
    else if (c === HASH && dialect === 'mysql') i = lineEnd(sql, i);
    else if (isDashComment(sql, i, dialect)) i = lineEnd(sql, i);
    else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      // MySQL runs the body of /*! ... */ and /*M! ... */ as code: scan it, do not skip it.
      i = isExecutableComment(sql, i, dialect) ? i + 2 : blockEnd(sql, i);
    } else if (c === SEMICOLON) {
      sawEnd = true;
      i++;
    } else i++;
  }
  return true;
}

const QUOTE = 39; // '
const DQUOTE = 34; // "
const BACKTICK = 96; // `
const BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const HASH = 35; // #
const DASH = 45; // -
const SLASH = 47; // /
const STAR = 42; // *
const SEMICOLON = 59; // ;
const BACKSLASH = 92; // \

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** `-- ` starts a comment; MySQL needs a space or control character after it (`1--1` is arithmetic). */
function isDashComment(sql: string, i: number, dialect: SqlDialect): boolean {
  if (sql.charCodeAt(i) !== DASH || sql.charCodeAt(i + 1) !== DASH) return false;
  if (dialect === 'sqlite' || i + 2 >= sql.length) return true;
  const next = sql.charCodeAt(i + 2);
  return next <= 32;
}

function isExecutableComment(sql: string, i: number, dialect: SqlDialect): boolean {
  if (dialect !== 'mysql') return false;
  const c = sql[i + 2];
  return c === '!' || (c === 'M' && sql[i + 3] === '!');
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

function blockEnd(sql: string, i: number): number {
  const end = sql.indexOf('*/', i + 2);
  // An unterminated comment swallows the rest: the server reports the syntax error.
  return end < 0 ? sql.length : end + 2;
}

/** Offset just past the closing quote; a doubled quote escapes itself, and backslash escapes when asked. */
function quotedEnd(sql: string, open: number, quote: number, backslash: boolean): number {
  let i = open + 1;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslash && c === BACKSLASH) i += 2;
    else if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return n;
}

// Statements that change the state of the connection itself. Connections are shared by every call (a pool on
// MariaDB, the one handle on SQLite), so these would leak into other requests: an open transaction, another
// default database, a session variable, foreign keys switched off. Transactions go through `transaction`.
const SESSION_KEYWORDS = new Set([
  'begin',
  'start',
  'commit',
  'rollback',
  'savepoint',
  'release',
  'end',
  'lock',
  'unlock',
  'xa',
  'use',
  'set',
  'pragma',
  'attach',
  'detach',
]);

/** True when the statement's first keyword controls transactions or connection state. */
export function changesSessionState(sql: string): boolean {
  const word = firstKeyword(sql);
  return word !== undefined && SESSION_KEYWORDS.has(word);
}

/** The first word of the statement, lower-cased, after leading spaces, comments and parentheses. */
export function firstKeyword(sql: string): string | undefined {
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c) || c === 40 /* ( */) i++;
    else if (c === HASH) i = lineEnd(sql, i);
    else if (c === DASH && sql.charCodeAt(i + 1) === DASH) i = lineEnd(sql, i);
    else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) i = blockEnd(sql, i);
    else break;
  }
  const m = /^[A-Za-z_]+/.exec(sql.slice(i, i + 32));
  return m ? m[0].toLowerCase() : undefined;
}
