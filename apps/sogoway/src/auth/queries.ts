// The auth.yaml statements, compiled once per config version (keyed by the AuthQueries object).
import type { AuthQueries } from '@sogoms/config';
import { isIdentifier } from '@sogoms/sql';
import { type Statement, toStatement } from '../crud/compile.js';

export interface AuthStatements {
  login: Statement;
  me: Statement;
  /** INSERT for the register fields present, in YAML order (cached by column list). */
  register(columns: readonly string[]): string;
  /** Password reset: read the current hash, then swap it (only if still the same). */
  resetRead?: string;
  resetWrite?: string;
}

const cache = new WeakMap<AuthQueries, AuthStatements>();

const quote = (identifier: string): string => {
  if (!isIdentifier(identifier)) throw new Error(`not an identifier: ${identifier}`);
  return '`' + identifier + '`';
};

export function authStatements(queries: AuthQueries): AuthStatements {
  let statements = cache.get(queries);
  if (!statements) {
    const inserts = new Map<string, string>();
    const table = quote(queries.register.table);
    statements = {
      login: toStatement(queries.login.query, 0, []),
      me: toStatement(queries.me.query, 0, []),
      register(columns) {
        const key = columns.join(',');
        let text = inserts.get(key);
        if (!text) {
          text = `INSERT INTO ${table} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
          inserts.set(key, text);
        }
        return text;
      },
    };
    const reset = queries.passwordReset;
    if (reset) {
      const t = quote(reset.update.table);
      statements.resetRead = `SELECT \`id\`, \`password\` FROM ${t} WHERE \`id\` = ?`;
      statements.resetWrite = `UPDATE ${t} SET \`password\` = ? WHERE \`id\` = ? AND \`password\` = ?`;
    }
    cache.set(queries, statements);
  }
  return statements;
}
