// A `mail` job: the query gives one row per recipient (its columns are the template's data); each `lists` query
// adds, per row, its rows under a field (the digest's Tasks). Mails go out through sogoms-smtp's send_bulk, so
// one recipient's failure never stops the others.
import type { CronMailAction } from '@sogoms/config';
import { bindNamed } from './bind.js';
import { type JobContext, JobError, type JobResult, timeLeft } from './types.js';

/** sogoms-smtp's send_bulk limit. */
export const BULK_CHUNK = 1_000;

type Row = Record<string, unknown>;
interface BulkAnswer {
  sent: number;
  failed: number;
  results: { status: string; error?: { code?: string } }[];
}

export async function runMailJob(ctx: JobContext, action: CronMailAction): Promise<JobResult> {
  const main = bindNamed(action.query, ctx.values);
  const rows = await ctx.db.call<Row[]>('query', { app_id: ctx.app, ...main }, { timeoutMs: timeLeft(ctx) });
  const recipients: { to: string; data: Row }[] = [];
  let failed = 0;
  let firstError: string | undefined;
  for (const row of rows) {
    if (!Object.hasOwn(row, action.to))
      throw new JobError(`the query returns no column "${action.to}" (mail.to)`);
    const to = row[action.to];
    if (typeof to !== 'string' || to.trim() === '') {
      failed++;
      firstError ??= `a row has no address in "${action.to}"`;
      continue;
    }
    const data: Row = { ...row };
    for (const [field, sql] of Object.entries(action.lists)) {
      const list = bindNamed(sql, { ...row, ...ctx.values });
      data[field] = await ctx.db.call<Row[]>(
        'query',
        { app_id: ctx.app, ...list },
        { timeoutMs: timeLeft(ctx) },
      );
    }
    recipients.push({ to, data });
  }
  let sent = 0;
  for (let i = 0; i < recipients.length; i += BULK_CHUNK) {
    const answer = await ctx.smtp.call<BulkAnswer>(
      'send_bulk',
      { app_id: ctx.app, template: action.template, recipients: recipients.slice(i, i + BULK_CHUNK) },
      { timeoutMs: timeLeft(ctx) },
    );
    sent += answer.sent;
    failed += answer.failed;
    const bad = answer.results.find((r) => r.status !== 'sent');
    if (bad) firstError ??= `send failed: ${bad.error?.code ?? 'error'}`;
  }
  const result: JobResult = { ok: failed === 0, rows: rows.length, mails: { sent, failed } };
  if (firstError) result.error = `${failed} mail(s) not sent; first: ${firstError}`;
  return result;
}
