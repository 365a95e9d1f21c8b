// Renders an email template (SPEC §8): subject and text as they are, body_html with values HTML-escaped. Every
// part is rendered before anything is sent, so a missing field never leaves a half-rendered email.
import type { EmailTemplate } from '@sogoms/config';
import { renderTemplate } from '@sogoms/gotemplate';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { checkHeaderValue, invalid, MAX_SUBJECT_LENGTH } from './addresses.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html?: string;
}

/** The parts of a template; inline send_bulk content uses the same shape. */
export type TemplateParts = Pick<EmailTemplate, 'subject' | 'body' | 'bodyHtml'>;

/** Looks a template up by name; TEMPLATE_NOT_FOUND when the app has no such file. */
export function findTemplate(emails: Readonly<Record<string, EmailTemplate>>, name: unknown): EmailTemplate {
  if (typeof name !== 'string' || name === '') throw invalid('template', 'template must be a template name');
  if (!Object.hasOwn(emails, name)) {
    throw new SogomsError(ErrorCode.TEMPLATE_NOT_FOUND, `email template "${name.slice(0, 100)}" not found`, {
      template: name.slice(0, 100),
    });
  }
  return emails[name]!;
}

export function renderEmail(label: string, parts: TemplateParts, data: unknown): RenderedEmail {
  // YAML block scalars end with a newline; a subject is one line.
  const subject = render(label, 'subject', parts.subject, data, false).trim();
  checkHeaderValue('subject', subject);
  if (subject.length > MAX_SUBJECT_LENGTH) throw invalid('subject', 'rendered subject is too long');
  const rendered: RenderedEmail = { subject, text: render(label, 'body', parts.body, data, false) };
  if (parts.bodyHtml !== undefined) rendered.html = render(label, 'body_html', parts.bodyHtml, data, true);
  return rendered;
}

function render(label: string, part: string, source: string, data: unknown, html: boolean): string {
  try {
    return renderTemplate(source, data, { html });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const extra = err instanceof SogomsError ? err.data : undefined;
    throw new SogomsError(ErrorCode.TEMPLATE_ERROR, `${label} ${part}: ${message}`, { ...extra, part });
  }
}
