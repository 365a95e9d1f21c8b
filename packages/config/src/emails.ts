import { basename } from 'node:path';
import { parseTemplate, TemplateSyntaxError } from '@sogoms/gotemplate';
import type { FileReport } from './errors.js';
import type { Env } from './expand.js';
import { Section } from './schema.js';
import { loadTree } from './tree.js';
import type { EmailTemplate } from './types.js';

/** Reads one emails/{app}/{name}.yaml and checks the Go-template syntax of each part. */
export function readEmailFile(report: FileReport, env: Env): EmailTemplate | undefined {
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, ['subject', 'body', 'body_html']);
  const template: EmailTemplate = {
    name: basename(report.file, '.yaml'),
    subject: readTemplate(s, 'subject', true) ?? '',
    body: readTemplate(s, 'body', true) ?? '',
  };
  if (/[\r\n]/.test(template.subject.trim())) s.report.add('subject', 'must be a single line');
  const html = readTemplate(s, 'body_html', false);
  if (html !== undefined) template.bodyHtml = html;
  return template;
}

/** A string holding a Go template; a syntax error is reported under its key. */
export function readTemplate(s: Section, key: string, required: boolean): string | undefined {
  const source = s.string(key, { required });
  if (source === undefined) return undefined;
  try {
    parseTemplate(source);
  } catch (err) {
    // TemplateSyntaxError messages already read "template syntax error at line L, column C: reason".
    const message =
      err instanceof TemplateSyntaxError ? err.message : `template syntax error: ${(err as Error).message}`;
    s.report.add(s.at(key), message);
  }
  return source;
}
