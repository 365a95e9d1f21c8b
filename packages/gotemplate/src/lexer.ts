import { syntaxError } from './errors.js';

// Splits a template into literal text and actions, applying Go's trim markers: `{{- ` removes all whitespace
// before the action, ` -}}` all whitespace after it (the dash must be separated from the action by a space).

export type ActionTokenType =
  | 'field'
  | 'dot'
  | 'root'
  | 'ident'
  | 'string'
  | 'number'
  | 'lparen'
  | 'rparen'
  | 'pipe';

export interface ActionToken {
  type: ActionTokenType;
  /** Source offset, for error positions. */
  pos: number;
  /** Field path for 'field'/'root' (.User.Name → ['User', 'Name']); name for 'ident'; text for 'number'. */
  path?: string[];
  value?: string | number;
  text: string;
}

export type Item = { kind: 'text'; value: string } | { kind: 'action'; pos: number; tokens: ActionToken[] };

const isTrimSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Lexes the whole template into text and action items; throws TemplateSyntaxError on unclosed actions. */
export function lex(src: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const pushText = (text: string): void => {
    if (text !== '') items.push({ kind: 'text', value: text });
  };
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      pushText(text);
      break;
    }
    let p = open + 2;
    if (src[p] === '-' && isTrimSpace(src[p + 1])) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    pushText(text);
    const { end, trimRight, tokens } = lexAction(src, open, p);
    trimNext = trimRight;
    if (tokens !== null) items.push({ kind: 'action', pos: open, tokens });
    i = end;
  }
  return items;
}

/** Reads one action starting after its `{{` (and left trim); returns tokens (null for a comment). */
function lexAction(
  src: string,
  open: number,
  start: number,
): { end: number; trimRight: boolean; tokens: ActionToken[] | null } {
  let p = start;
  while (isTrimSpace(src[p])) p++;
  if (src.startsWith('/*', p)) {
    const close = src.indexOf('*/', p + 2);
    if (close < 0) syntaxError(src, open, 'unclosed comment');
    return { ...closeDelim(src, open, close + 2), tokens: null };
  }
  const tokens: ActionToken[] = [];
  for (;;) {
    while (isTrimSpace(src[p])) p++;
    if (p >= src.length) syntaxError(src, open, 'unclosed action');
    if (
      src.startsWith('}}', p) ||
      (src[p] === '-' && src.startsWith('}}', p + 1) && isTrimSpace(src[p - 1]))
    ) {
      return { ...closeDelim(src, open, p), tokens };
    }
    const tok = lexToken(src, p, open);
    tokens.push(tok);
    p = tok.pos + tok.text.length;
  }
}

/** Expects optional whitespace, an optional `-` trim marker and `}}` at `p`. */
function closeDelim(src: string, open: number, p: number): { end: number; trimRight: boolean } {
  let q = p;
  while (isTrimSpace(src[q])) q++;
  if (src.startsWith('}}', q)) return { end: q + 2, trimRight: false };
  if (src[q] === '-' && src.startsWith('}}', q + 1) && isTrimSpace(src[q - 1]))
    return { end: q + 3, trimRight: true };
  if (src.indexOf('}}', q) < 0) syntaxError(src, open, 'unclosed action');
  return syntaxError(src, q, 'comment must end at the closing delimiter');
}

function lexToken(src: string, p: number, open: number): ActionToken {
  const c = src[p]!;
  if (c === '.' || c === '$') {
    const root = c === '$';
    let q = root ? p + 1 : p;
    const path: string[] = [];
    while (src[q] === '.' && isIdentStart(src[q + 1])) {
      let r = q + 1;
      while (isIdentPart(src[r])) r++;
      path.push(src.slice(q + 1, r));
      q = r;
    }
    if (root && isIdentStart(src[p + 1])) syntaxError(src, p, 'variables other than $ are not supported');
    if (!root && path.length === 0) q = p + 1; // a lone dot
    const type = root ? 'root' : path.length === 0 ? 'dot' : 'field';
    return { type, pos: p, path, text: src.slice(p, q) };
  }
  if (c === '"' || c === '`') {
    const close = findStringEnd(src, p);
    if (close < 0) syntaxError(src, p, 'unterminated string');
    const text = src.slice(p, close + 1);
    let value: string;
    try {
      value = c === '`' ? text.slice(1, -1) : (JSON.parse(text) as string);
    } catch {
      return syntaxError(src, p, `bad string literal ${text}`);
    }
    return { type: 'string', pos: p, value, text };
  }
  const num = /^[-+]?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(src.slice(p, p + 64));
  if (num && (c !== '-' && c !== '+' ? true : /\d/.test(src[p + 1] ?? ''))) {
    return { type: 'number', pos: p, value: Number(num[0]), text: num[0] };
  }
  if (isIdentStart(c)) {
    let q = p;
    while (isIdentPart(src[q])) q++;
    const name = src.slice(p, q);
    return { type: 'ident', pos: p, value: name, text: name };
  }
  if (c === '(') return { type: 'lparen', pos: p, text: c };
  if (c === ')') return { type: 'rparen', pos: p, text: c };
  if (c === '|') return { type: 'pipe', pos: p, text: c };
  if (c === '}' || c === '{') syntaxError(src, open, 'unclosed action');
  return syntaxError(src, p, `unexpected ${JSON.stringify(c)} in action`);
}

function findStringEnd(src: string, p: number): number {
  const quote = src[p];
  for (let q = p + 1; q < src.length; q++) {
    if (quote === '"' && src[q] === '\\') q++;
    else if (quote === '"' && src[q] === '\n') return -1;
    else if (src[q] === quote) return q;
  }
  return -1;
}
