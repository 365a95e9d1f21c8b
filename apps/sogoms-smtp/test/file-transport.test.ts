// transport: file writes parseable .eml files atomically; reload rebuilds only the transports that changed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type SogomsError } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpService } from '../src/smtp-service.js';
import { memoryLogger, smtpAt, startSmtpServer, tempDir, writeSmtpConfig } from './helpers.js';

const ctx = { id: 'req_file.1', action: 'send' };
let service: ServiceInstance | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

const fileSmtp = (dir: string) => [
  'transport: file',
  `dir: ${dir}`,
  'from: noreply@prokov.test',
  'from_name: Prokov',
];

describe('transport: file', () => {
  it('writes each message as a parseable RFC 822 .eml file (CRLF, Bcc kept) and returns its message id', async () => {
    const mailDir = join(tempDir(), 'var', 'mail');
    const { config } = writeSmtpConfig(fileSmtp(mailDir), {
      welcome: 'subject: "Bienvenue {{.Name}}"\nbody: "Bonjour {{.Name}}"\nbody_html: "<b>{{.Name}}</b>"\n',
    });
    service = createSmtpService({ config, logger: memoryLogger() });
    const result = (await service.actions.send_template!(
      {
        app_id: 'prokov',
        to: 'Zoé <zoe@example.com>',
        bcc: 'audit@example.com',
        template: 'welcome',
        data: { Name: 'Zoé & co' },
      },
      ctx,
    )) as { message_id: string; accepted: string[]; rejected: string[] };
    expect(result.accepted).toEqual(['zoe@example.com', 'audit@example.com']);
    expect(result.rejected).toEqual([]);
    const files = readdirSync(mailDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}-\d{6}-\d{3}-.+\.eml$/);
    const raw = readFileSync(join(mailDir, files[0]!));
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    const mail = await simpleParser(raw);
    expect(mail.messageId).toBe(result.message_id);
    expect(mail.from?.value).toEqual([{ name: 'Prokov', address: 'noreply@prokov.test' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([
      { name: 'Zoé', address: 'zoe@example.com' },
    ]);
    expect(mail.bcc && !Array.isArray(mail.bcc) ? mail.bcc.text : '').toBe('audit@example.com');
    expect(mail.subject).toBe('Bienvenue Zoé & co');
    expect(mail.text).toBe('Bonjour Zoé & co');
    expect(mail.html).toBe('<b>Zoé &amp; co</b>');
    expect(await service.health!()).toMatchObject({
      apps: { prokov: { transport: 'file', dir: mailDir, state: 'ok', sent: 1 } },
    });
  });

  it('answers SMTP_ERROR when the mail directory cannot be created', async () => {
    const blocker = join(tempDir(), 'file');
    writeFileSync(blocker, 'not a directory');
    service = createSmtpService({
      config: writeSmtpConfig(fileSmtp(join(blocker, 'mail'))).config,
      logger: memoryLogger(),
    });
    const err = (await Promise.resolve(
      service.actions.send!({ app_id: 'prokov', to: 'a@example.com', subject: 's', body: 'b' }, ctx),
    ).catch((e: unknown) => e)) as SogomsError;
    expect(err.code).toBe(ErrorCode.SMTP_ERROR);
    expect(err.message).toBe('cannot write the email file (ENOTDIR)');
    expect(readdirSync(join(blocker, '..'))).toEqual(['file']);
  });

  it('reload switches an app to its new transport and drops apps whose smtp section is gone', async () => {
    const server = await startSmtpServer({ mode: 'plain' });
    const mailDir = join(tempDir(), 'mail');
    const first = writeSmtpConfig(fileSmtp(mailDir));
    service = createSmtpService({ config: first.config, logger: memoryLogger() });
    const params = { app_id: 'prokov', to: 'a@example.com', subject: 's', body: 'b' };
    await service.actions.send!(params, ctx);
    expect(readdirSync(mailDir)).toHaveLength(1);

    await service.reload!(writeSmtpConfig(smtpAt(server.port)).config);
    await service.actions.send!(params, ctx);
    expect(server.received).toHaveLength(1);
    expect(readdirSync(mailDir)).toHaveLength(1);
    expect(await service.health!()).toMatchObject({ apps: { prokov: { transport: 'smtp', sent: 1 } } });

    // Same settings again: the transport (and its counters) are kept.
    await service.reload!(writeSmtpConfig(smtpAt(server.port)).config);
    expect(await service.health!()).toMatchObject({ apps: { prokov: { transport: 'smtp', sent: 1 } } });

    await service.reload!(writeSmtpConfig(null).config);
    const err = (await Promise.resolve(service.actions.send!(params, ctx)).catch(
      (e: unknown) => e,
    )) as SogomsError;
    expect(err.message).toBe('no smtp configured for app');
    expect(await service.health!()).toEqual({ apps: {} });
  });
});
