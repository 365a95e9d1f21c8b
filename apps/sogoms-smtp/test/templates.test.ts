// send_template and send_bulk with Go-syntax templates from emails/{app}/, against a real SMTP server.
import { ErrorCode } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../tests/helpers/rejection.js';
import { createSmtpService } from '../src/smtp-service.js';
import { memoryLogger, smtpAt, startSmtpServer, writeSmtpConfig } from './helpers.js';

const ctx = { id: 'req_tpl.1', action: 'send_template' };
let service: ServiceInstance | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

const EMAILS = {
  welcome: [
    'subject: "Bienvenue {{.Name}} !"',
    'body: |',
    '  Bonjour {{.Name}},',
    '  {{if .Tasks}}Vos tâches :{{range .Tasks}} {{.Title}};{{end}}{{else}}Aucune tâche.{{end}}',
    'body_html: |',
    '  <h1>Bienvenue {{.Name}} !</h1><p>{{.User.Email}}</p>',
    '',
  ].join('\n'),
  reset: ['subject: Réinitialisation', 'body: "Lien : {{.Url}}"', ''].join('\n'),
};

async function setup(rejectRecipient?: (a: string) => boolean) {
  const server = await startSmtpServer({ mode: 'plain', ...(rejectRecipient ? { rejectRecipient } : {}) });
  service = createSmtpService({
    config: writeSmtpConfig(smtpAt(server.port), EMAILS).config,
    logger: memoryLogger(),
  });
  return { server, service };
}

const welcomeData = {
  Name: '<b>Bob & Co</b>',
  User: { Email: 'bob@example.com' },
  Tasks: [{ Title: 'Dig' }, { Title: 'Plant' }],
};

describe('send_template', () => {
  it('renders subject and text as they are and HTML-escapes values in body_html', async () => {
    const { server, service } = await setup();
    const result = await service.actions.send_template!(
      { app_id: 'prokov', to: 'bob@example.com', template: 'welcome', data: welcomeData },
      ctx,
    );
    expect(result).toMatchObject({ accepted: ['bob@example.com'], rejected: [] });
    const { mail } = server.received[0]!;
    expect(mail.subject).toBe('Bienvenue <b>Bob & Co</b> !');
    expect(mail.text).toBe('Bonjour <b>Bob & Co</b>,\nVos tâches : Dig; Plant;\n');
    expect(mail.html).toBe('<h1>Bienvenue &lt;b&gt;Bob &amp; Co&lt;/b&gt; !</h1><p>bob@example.com</p>\n');
  });

  it('sends a template without body_html as text only', async () => {
    const { server, service } = await setup();
    await service.actions.send_template!(
      { app_id: 'prokov', to: 'a@example.com', template: 'reset', data: { Url: 'https://x.test/r?t=1' } },
      ctx,
    );
    expect(server.received[0]!.mail.text).toBe('Lien : https://x.test/r?t=1\n');
    expect(server.received[0]!.mail.html).toBe(false);
  });

  it('answers TEMPLATE_NOT_FOUND for an unknown template (prototype names included)', async () => {
    const { server, service } = await setup();
    for (const template of ['nope', 'constructor', '__proto__']) {
      const err = await rejection(
        service.actions.send_template!({ app_id: 'prokov', to: 'a@example.com', template, data: {} }, ctx),
      );
      expect(err.code).toBe(ErrorCode.TEMPLATE_NOT_FOUND);
    }
    expect(server.mailFroms).toBe(0);
  });

  it('answers TEMPLATE_ERROR naming a missing field, and the server receives nothing', async () => {
    const { server, service } = await setup();
    const err = await rejection(
      service.actions.send_template!(
        { app_id: 'prokov', to: 'a@example.com', template: 'welcome', data: { Name: 'Bob', Tasks: [] } },
        ctx,
      ),
    );
    expect(err.code).toBe(ErrorCode.TEMPLATE_ERROR);
    expect(err.message).toContain('.User');
    expect(err.data).toMatchObject({ part: 'body_html' });
    expect(server.mailFroms).toBe(0);
    expect(server.received).toHaveLength(0);
  });

  it('refuses a line break smuggled into the subject through the data', async () => {
    const { server, service } = await setup();
    const err = await rejection(
      service.actions.send_template!(
        {
          app_id: 'prokov',
          to: 'a@example.com',
          template: 'welcome',
          data: { ...welcomeData, Name: 'x\r\nBcc: evil@example.com' },
        },
        ctx,
      ),
    );
    expect(err.code).toBe(ErrorCode.VALIDATION_ERROR);
    expect(err.data).toEqual({ field: 'subject' });
    expect(server.mailFroms).toBe(0);
  });
});

describe('send_bulk', () => {
  it('sends one message per recipient; a refused, an invalid and an unrenderable recipient do not stop the others', async () => {
    const { server, service } = await setup((a) => a === 'refused@example.com');
    const recipients = [
      { to: 'one@example.com', data: { Url: 'u1' } },
      { to: 'refused@example.com', data: { Url: 'u2' } },
      { to: 'not an address', data: { Url: 'u3' } },
      { to: 'three@example.com', data: {} },
      { to: 'Four <four@example.com>', data: { Url: 'u4' } },
    ];
    const result = (await service.actions.send_bulk!(
      { app_id: 'prokov', template: 'reset', recipients },
      ctx,
    )) as {
      sent: number;
      failed: number;
      results: { to: string; status: string; message_id?: string; error?: { code: string } }[];
    };
    expect(result.sent).toBe(2);
    expect(result.failed).toBe(3);
    expect(result.results.map((r) => [r.to, r.status, r.error?.code])).toEqual([
      ['one@example.com', 'sent', undefined],
      ['refused@example.com', 'failed', ErrorCode.SMTP_ERROR],
      ['not an address', 'failed', ErrorCode.VALIDATION_ERROR],
      ['three@example.com', 'failed', ErrorCode.TEMPLATE_ERROR],
      ['four@example.com', 'sent', undefined],
    ]);
    expect(result.results[0]!.message_id).toMatch(/^<.+@prokov\.test>$/);
    const received = server.received.map((r) => [r.to, r.mail.text]).sort();
    expect(received).toEqual([
      [['four@example.com'], 'Lien : u4\n'],
      [['one@example.com'], 'Lien : u1\n'],
    ]);
  });

  it('renders inline subject and body with each recipient data (mail merge)', async () => {
    const { server, service } = await setup();
    const result = await service.actions.send_bulk!(
      {
        app_id: 'prokov',
        subject: 'Hello {{.Name}}',
        body: 'Dear {{.Name}}',
        body_html: '<p>{{.Name}}</p>',
        recipients: [
          { to: 'a@example.com', data: { Name: 'A&A' } },
          { to: 'b@example.com', data: { Name: 'B' } },
        ],
      },
      ctx,
    );
    expect(result).toMatchObject({ sent: 2, failed: 0 });
    const byTo = Object.fromEntries(server.received.map((r) => [r.to[0], r.mail]));
    expect(byTo['a@example.com']).toMatchObject({
      subject: 'Hello A&A',
      text: 'Dear A&A',
      html: '<p>A&amp;A</p>',
    });
    expect(byTo['b@example.com']).toMatchObject({ subject: 'Hello B', text: 'Dear B' });
  });

  it('fails the whole call, sending nothing, for errors that concern every recipient', async () => {
    const { server, service } = await setup();
    const recipients = [{ to: 'a@example.com', data: {} }];
    const cases: [Record<string, unknown>, string][] = [
      [{ template: 'nope', recipients }, ErrorCode.TEMPLATE_NOT_FOUND],
      [{ template: 'reset', subject: 'x', body: 'y', recipients }, ErrorCode.VALIDATION_ERROR],
      [{ recipients }, ErrorCode.VALIDATION_ERROR],
      [{ template: 'reset', recipients: [] }, ErrorCode.VALIDATION_ERROR],
      [{ template: 'reset', recipients: 'a@example.com' }, ErrorCode.VALIDATION_ERROR],
      [{ subject: 'x', body: '{{if .X}}', recipients }, ErrorCode.TEMPLATE_ERROR],
      [{ subject: 'x\nBcc: e@example.com', body: 'y', recipients }, ErrorCode.VALIDATION_ERROR],
    ];
    for (const [params, code] of cases) {
      const err = await rejection(service.actions.send_bulk!({ app_id: 'prokov', ...params }, ctx));
      expect(err.code, JSON.stringify(params)).toBe(code);
    }
    expect(server.mailFroms).toBe(0);
  });
});
