// A `sql` job: one statement through sogoms-db. A SELECT reports the rows it returned, anything else the rows
// it changed.
import type { CronSqlAction } from '@sogoms/config';
import { bindNamed } from './bind.js';
import { type JobContext, type JobResult, timeLeft } from './types.js';

const READS = /^\s*\(?\s*(select|with|values|show|explain)\b/i;

export async function runSqlJob(ctx: JobContext, action: CronSqlAction): Promise<JobResult> {
  const { query, args } = bindNamed(action.query, ctx.values);
  const params = { app_id: ctx.app, query, args };
  if (READS.test(query)) {
    const rows = await ctx.db.call<unknown[]>('query', params, { timeoutMs: timeLeft(ctx) });
    return { ok: true, rows: rows.length };
  }
  const result = await ctx.db.call<{ affected_rows: number }>('update', params, { timeoutMs: timeLeft(ctx) });
  return { ok: true, rows: result.affected_rows };
}
