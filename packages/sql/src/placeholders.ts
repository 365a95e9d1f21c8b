import { SqlError } from './errors.js';
import { scanSql } from './scanner.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** True for a safe SQL identifier / placeholder name: [A-Za-z_][A-Za-z0-9_]{0,63}. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

export interface CompiledSql {
  /** The SQL with every `:name` replaced by `?`. */
  text: string;
  /** Placeholder names in order of appearance; a name used twice appears twice. */
  names: string[];
  /** How many `?` markers the source already had (outside literals/comments); they are left untouched. */
  positional: number;
}

/**
 * Turns `:name` placeholders into positional `?`, skipping string literals, quoted identifiers, comments and
 * `::` casts. Throws SqlError for a malformed query or a placeholder name that is not an identifier.
 */
export function compileNamed(sql: string): CompiledSql {
  const names: string[] = [];
  let text = '';
  let positional = 0;
  let copied = 0;
  for (const tok of scanSql(sql)) {
    if (tok.type === 'positional') positional++;
    if (tok.type !== 'placeholder') continue;
    const name = tok.value!;
    if (!isIdentifier(name)) throw new SqlError(`placeholder :${name} is not a valid identifier`, tok.start);
    text += sql.slice(copied, tok.start) + '?';
    copied = tok.end;
    names.push(name);
  }
  text += sql.slice(copied);
  return { text, names, positional };
}

/** The distinct placeholder names of `sql`, in order of first appearance. */
export function placeholderNames(sql: string): string[] {
  return [...new Set(compileNamed(sql).names)];
}
