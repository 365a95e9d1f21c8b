// Validation of action params (SPEC §6). Anything malformed is BAD_REQUEST before a driver is involved.
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { SqlArg, Statement } from './drivers/types.js';
import { changesSessionState, isSingleStatement, type SqlDialect } from './single-statement.js';

/** Upper bound on statements in one `transaction` call. */
export const MAX_TRANSACTION_STATEMENTS = 1_000;

const badRequest = (message: string): SogomsError => new SogomsError(ErrorCode.BAD_REQUEST, message);

/** The app_id param: a string (BAD_REQUEST otherwise); whether it names an app is the caller's check. */
export function appIdOf(params: Record<string, unknown>): string {
  const appId = params['app_id'];
  if (typeof appId !== 'string' || appId === '') throw badRequest('app_id must be a non-empty string');
  return appId;
}

/** The {query, args} of a statement, checked for one statement and JSON scalar arguments. */
export function statementOf(source: Record<string, unknown>, dialect: SqlDialect, where = ''): Statement {
  const query = source['query'];
  if (typeof query !== 'string' || query.trim() === '')
    throw badRequest(`${where}query must be a non-empty string`);
  if (!isSingleStatement(query, dialect))
    throw badRequest(`${where}query must hold a single statement (found ";" between statements)`);
  if (changesSessionState(query))
    throw badRequest(
      `${where}query may not control transactions or connection state (use the transaction action)`,
    );
  return { query, args: argsOf(source['args'], where) };
}

function argsOf(raw: unknown, where: string): SqlArg[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest(`${where}args must be an array`);
  for (let i = 0; i < raw.length; i++) {
    const a: unknown = raw[i];
    if (a === null || typeof a === 'string' || typeof a === 'boolean') continue;
    if (typeof a === 'number' && Number.isFinite(a)) continue;
    throw badRequest(`${where}args[${i}] must be a string, a finite number, a boolean or null`);
  }
  return raw as SqlArg[];
}

/** The statements of a `transaction` call: a non-empty array of {query, args}. */
export function statementsOf(params: Record<string, unknown>, dialect: SqlDialect): Statement[] {
  const raw = params['statements'];
  if (!Array.isArray(raw) || raw.length === 0)
    throw badRequest('statements must be a non-empty array of {query, args}');
  if (raw.length > MAX_TRANSACTION_STATEMENTS)
    throw badRequest(`statements holds more than ${MAX_TRANSACTION_STATEMENTS} entries`);
  return raw.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw badRequest(`statements[${i}] must be an object {query, args}`);
    return statementOf(item as Record<string, unknown>, dialect, `statements[${i}].`);
  });
}
