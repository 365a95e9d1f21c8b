// An `http` job: a webhook call. The body is JSON {app, job, scheduled_at}; with a secret, the call carries
// X-Sogoms-Timestamp (Unix seconds) and X-Sogoms-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>")
// in hex, so the receiver can check where it comes from and refuse replays. Success is a 2xx status.
import { createHmac } from 'node:crypto';
import type { CronHttpAction } from '@sogoms/config';
import type { JobContext, JobResult } from './types.js';

export const SIGNATURE_HEADER = 'x-sogoms-signature';
export const TIMESTAMP_HEADER = 'x-sogoms-timestamp';

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function runHttpJob(ctx: JobContext, action: CronHttpAction): Promise<JobResult> {
  const body =
    action.method === 'GET'
      ? ''
      : JSON.stringify({ app: ctx.app, job: ctx.job.name, scheduled_at: ctx.scheduledAt.toISOString() });
  const headers: Record<string, string> = { ...action.headers, 'user-agent': 'sogoms-cron' };
  if (body !== '') headers['content-type'] = 'application/json';
  if (action.secret !== undefined) {
    const timestamp = Math.floor(ctx.now() / 1000);
    headers[TIMESTAMP_HEADER] = String(timestamp);
    headers[SIGNATURE_HEADER] = signBody(action.secret, timestamp, body);
  }
  const response = await ctx.fetch(action.url, {
    method: action.method,
    headers,
    signal: ctx.signal,
    redirect: 'manual',
    ...(body === '' ? {} : { body }),
  });
  await response.body?.cancel().catch(() => undefined);
  const ok = response.status >= 200 && response.status < 300;
  return ok
    ? { ok, status: response.status }
    : { ok, status: response.status, error: `HTTP ${response.status}` };
}
