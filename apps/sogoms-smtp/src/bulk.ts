// send_bulk: one message per recipient (recipients never see each other). Every recipient is validated and
// rendered first; those that fail are reported without stopping the others, then the rest are sent a few at a
// time. Errors that concern the whole call (unknown app or template, bad inline template, no recipients) fail
// it before anything is sent.

import type { AppConfig } from '@sogoms/config';
import { parseTemplate } from '@sogoms/gotemplate';
import { ErrorCode, SogomsError, toWireError, type WireError } from '@sogoms/protocol';
import { invalid, parseAddress } from './addresses.js';
import { findTemplate, renderEmail, type TemplateParts } from './compose.js';
import type { OutgoingMail, SendResult } from './mail.js';
import { dataOf, stringOf, subjectOf } from './params.js';

export const MAX_BULK_RECIPIENTS = 1_000;
/** Sends in flight at once: the size of the SMTP pool, so that none waits in nodemailer's queue. */
export const BULK_CONCURRENCY = 5;

export interface BulkResultItem {
  to: string;
  status: 'sent' | 'failed';
  message_id?: string;
  error?: WireError;
}

export interface BulkResult {
  sent: number;
  failed: number;
  results: BulkResultItem[];
}

/** The content of a bulk send: a named template, or inline subject + body (+ body_html) rendered per recipient. */
export function bulkContent(
  app: AppConfig,
  params: Record<string, unknown>,
): { label: string; parts: TemplateParts } {
  const inline = params.subject !== undefined || params.body !== undefined || params.body_html !== undefined;
  if (params.template !== undefined) {
    if (inline) throw invalid('template', 'give either template or subject and body, not both');
    const template = findTemplate(app.emails, params.template);
    return { label: `template "${template.name}"`, parts: template };
  }
  if (!inline) throw invalid('template', 'template, or subject and body, is required');
  const parts: TemplateParts = {
    subject: subjectOf('subject', params.subject),
    body: stringOf('body', params.body, true)!,
  };
  const html = stringOf('body_html', params.body_html, false);
  if (html !== undefined) parts.bodyHtml = html;
  for (const source of [parts.subject, parts.body, parts.bodyHtml])
    if (source !== undefined) parseTemplate(source);
  return { label: 'inline content', parts };
}

type Prepared = { index: number; mail: OutgoingMail } | { index: number; error: WireError };

/** Runs a bulk send with `send` for each ready message; results are in the order of the recipients. */
export async function sendBulk(
  content: { label: string; parts: TemplateParts },
  recipientsParam: unknown,
  send: (mail: OutgoingMail) => Promise<SendResult>,
): Promise<BulkResult> {
  if (!Array.isArray(recipientsParam) || recipientsParam.length === 0) {
    throw invalid('recipients', 'recipients must be a non-empty array of {to, data}');
  }
  if (recipientsParam.length > MAX_BULK_RECIPIENTS) {
    throw invalid('recipients', `at most ${MAX_BULK_RECIPIENTS} recipients per send_bulk`);
  }
  const results: BulkResultItem[] = recipientsParam.map((r) => ({ to: displayTo(r), status: 'failed' }));
  const prepared: Prepared[] = recipientsParam.map((recipient, index) => {
    try {
      if (recipient === null || typeof recipient !== 'object' || Array.isArray(recipient)) {
        throw invalid(`recipients[${index}]`, 'each recipient must be an object {to, data}');
      }
      const r = recipient as Record<string, unknown>;
      const to = parseAddress(`recipients[${index}].to`, r.to);
      const rendered = renderEmail(content.label, content.parts, dataOf(`recipients[${index}].data`, r.data));
      results[index]!.to = to.address;
      return { index, mail: { to: [to], ...rendered } };
    } catch (err) {
      return { index, error: toWireError(err) };
    }
  });

  const queue = prepared.slice();
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const result = results[item.index]!;
      if ('error' in item) {
        result.error = item.error;
        continue;
      }
      try {
        const sent = await send(item.mail);
        result.status = 'sent';
        result.message_id = sent.message_id;
      } catch (err) {
        result.error = toWireError(
          err instanceof SogomsError ? err : new SogomsError(ErrorCode.SMTP_ERROR, 'send failed'),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, queue.length) }, worker));
  const sent = results.filter((r) => r.status === 'sent').length;
  return { sent, failed: results.length - sent, results };
}

/** What to echo as `to` for a recipient, even an invalid one (bounded, so a huge value is not reflected). */
function displayTo(recipient: unknown): string {
  const to = (recipient as { to?: unknown } | null)?.to;
  if (typeof to === 'string') return to.slice(0, 254);
  if (to && typeof to === 'object' && typeof (to as { address?: unknown }).address === 'string') {
    return String((to as { address: string }).address).slice(0, 254);
  }
  return '';
}
