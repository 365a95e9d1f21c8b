import { addCondition, compileNamed, findTopLevelClauses, isIdentifier, placeholderNames } from '@sogoms/sql';
import type { Section } from './schema.js';

/** Values the gateway takes from the token, available to every query. */
export const TOKEN_PLACEHOLDERS = ['user_id', 'role', 'email'] as const;

/**
 * Reports every :placeholder of `sql` the gateway cannot supply in this place; returns the names used
 * (undefined when the SQL could not be scanned, which is reported too).
 */
export function checkPlaceholders(
  s: Section,
  path: string,
  sql: string,
  allowed: readonly string[],
): string[] | undefined {
  let names: string[];
  try {
    names = placeholderNames(sql);
  } catch (err) {
    s.report.add(path, `cannot read SQL: ${(err as Error).message}`);
    return undefined;
  }
  for (const name of names) {
    if (!allowed.includes(name)) {
      const list = allowed.length > 0 ? allowed.map((a) => `:${a}`).join(', ') : 'none';
      s.report.add(path, `placeholder :${name} cannot be supplied here (allowed: ${list})`);
    }
  }
  return names;
}

/** Placeholder names, or [] when the SQL cannot be scanned (reported elsewhere). */
export function safePlaceholderNames(sql: string): string[] {
  try {
    return placeholderNames(sql);
  } catch {
    return [];
  }
}

/** A required SQL string with its placeholders checked. */
export function readSql(s: Section, key: string, allowed: readonly string[]): string | undefined {
  const sql = s.string(key, { required: true });
  if (sql === undefined) return undefined;
  if (sql.trim() === '') {
    s.report.add(s.at(key), 'must not be empty');
    return undefined;
  }
  if (checkPlaceholders(s, s.at(key), sql, allowed)) checkStatementShape(s, s.at(key), sql);
  return sql.trim();
}

/**
 * Reports what the gateway could not run or filter: positional `?` (values only come as :name), more than one
 * statement, and a top-level UNION/INTERSECT/EXCEPT (a role filter would reach only its last branch).
 */
export function checkStatementShape(s: Section, path: string, sql: string): void {
  try {
    if (compileNamed(sql).positional > 0) s.report.add(path, 'use :name placeholders, not "?"');
    const clauses = findTopLevelClauses(sql);
    const semicolon = clauses.semicolon;
    if (semicolon !== undefined && sql.slice(semicolon + 1).trim() !== '')
      s.report.add(path, 'one statement only (nothing may follow ";")');
    if (clauses.union !== undefined)
      s.report.add(
        path,
        'a top-level UNION/INTERSECT/EXCEPT cannot take a role filter: wrap it in a derived table',
      );
  } catch (err) {
    s.report.add(path, `cannot read SQL: ${(err as Error).message}`);
  }
}

/** Reports a filter or params condition that could not be ANDed safely into a WHERE clause. */
export function checkCondition(s: Section, path: string, condition: string): void {
  if (condition.trim() === '') return;
  try {
    addCondition('SELECT 1 FROM t', condition);
    if (compileNamed(condition).positional > 0) s.report.add(path, 'use :name placeholders, not "?"');
  } catch (err) {
    s.report.add(path, `not a usable condition: ${(err as Error).message}`);
  }
}

/** A table or column name, which is pasted into SQL and so must be a plain identifier. */
export function readIdentifier(
  s: Section,
  key: string,
  opts: { required?: boolean } = {},
): string | undefined {
  const name = s.string(key, opts);
  if (name === undefined) return undefined;
  if (!isIdentifier(name)) {
    s.report.add(s.at(key), `not an identifier (letters, digits, _): ${s.report.quote(s.at(key), name)}`);
    return undefined;
  }
  return name;
}

/** A list of distinct identifiers; bad and repeated entries are reported with their index. */
export function readIdentifierList(s: Section, key: string, opts: { required?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const { value, path } of s.stringList(key, opts)) {
    if (!isIdentifier(value))
      s.report.add(path, `not an identifier (letters, digits, _): ${s.report.quote(path, value)}`);
    else if (out.includes(value)) s.report.add(path, `${s.report.quote(path, value)} is listed twice`);
    else out.push(value);
  }
  return out;
}
