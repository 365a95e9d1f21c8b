// :name placeholders of a job's SQL become sogoms-db's `?` arguments, in order.
import { compileNamed } from '@sogoms/sql';
import { JobError } from './types.js';

export type SqlValue = string | number | boolean | null;

/** The statement with `?` and its arguments; a placeholder without a value fails the run (named). */
export function bindNamed(
  sql: string,
  values: Readonly<Record<string, unknown>>,
): { query: string; args: SqlValue[] } {
  const compiled = compileNamed(sql);
  const args = compiled.names.map((name) => {
    if (!Object.hasOwn(values, name)) throw new JobError(`placeholder :${name} has no value`);
    return toSqlValue(values[name]);
  });
  return { query: compiled.text, args };
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return JSON.stringify(value);
}
