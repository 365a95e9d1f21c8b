// The `prepare` action: compiles statements on the app's database without running them (sogoway asks before it
// swaps in reloaded queries, and at start). Answers the statements the database refused, with its message.
import { prepareMessage, probeFor } from '@sogoms/db-prepare';
import { type ActionHandler, ErrorCode, SogomsError } from '@sogoms/protocol';
import type { Driver } from './drivers/types.js';
import { mapDriverError } from './errors.js';
import { appIdOf, statementOf } from './params.js';

/** Upper bound on statements in one `prepare` call (an app's queries times its role filters). */
export const MAX_PREPARE_STATEMENTS = 5_000;

/** One refused statement: its index in the request and the database's message (it holds no bound value). */
export interface PrepareRefusal {
  index: number;
  message: string;
}

const badRequest = (message: string): SogomsError => new SogomsError(ErrorCode.BAD_REQUEST, message);

/**
 * `{app_id, statements: [{query}]}` → `{problems: [{index, message}]}`. A database that cannot be reached (or
 * a timeout) fails the whole call with its registry code: nothing could be checked.
 */
export function createPrepareAction(driverOf: (app: string) => Driver | undefined): ActionHandler {
  return async (params) => {
    const app = appIdOf(params);
    const driver = driverOf(app);
    if (!driver) throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app: ${app.slice(0, 64)}`);
    const raw = params['statements'];
    if (!Array.isArray(raw) || raw.length > MAX_PREPARE_STATEMENTS)
      throw badRequest(`statements must be an array of at most ${MAX_PREPARE_STATEMENTS}`);
    const queries = raw.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null) throw badRequest(`statements[${i}] must be an object`);
      return statementOf(item as Record<string, unknown>, driver.kind, `statements[${i}].`).query;
    });
    const problems: PrepareRefusal[] = [];
    for (const [index, sql] of queries.entries()) {
      try {
        if (driver.compile) driver.compile(sql);
        else {
          const probe = probeFor(driver.kind, sql);
          if (probe.length === 1) await driver.run(probe[0]!.query, probe[0]!.args);
          else await driver.transaction(probe);
        }
      } catch (err) {
        const mapped = mapDriverError(driver.kind, err);
        if (mapped.code === ErrorCode.DB_UNAVAILABLE || mapped.code === ErrorCode.TIMEOUT) throw mapped;
        problems.push({ index, message: prepareMessage(err) });
      }
    }
    return { problems };
  };
}
