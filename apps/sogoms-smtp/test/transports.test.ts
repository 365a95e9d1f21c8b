// send through a real SMTP server: plain, STARTTLS, implicit TLS, authentication, refused recipients.
import { ErrorCode } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../tests/helpers/rejection.js';
import { smtpTransportOptions } from '../src/smtp-mailer.js';
import { createSmtpService, type SmtpServiceOptions } from '../src/smtp-service.js';
import { memoryLogger, smtpAt, startSmtpServer, TEST_CERT, writeSmtpConfig } from './helpers.js';

const ctx = { id: 'req_smtp.1', action: 'send' };
let service: ServiceInstance | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

function start(config: SmtpServiceOptions['config'], trustTestCa = true) {
  const logger = memoryLogger();
  service = createSmtpService({
    config,
    logger,
    ...(trustTestCa ? { smtpOverrides: { tls: { ca: [TEST_CERT] } } } : {}),
  });
  return { service, logger };
}

const message = {
  app_id: 'prokov',
  to: 'Alice Martin <alice@example.com>',
  subject: 'Réunion demain',
  body: 'Bonjour Alice,\nà demain.',
};

describe('sogoms-smtp send over SMTP', () => {
  it('sends over plain SMTP when the server offers no STARTTLS, with from, cc, bcc and reply_to', async () => {
    const server = await startSmtpServer({ mode: 'plain' });
    const { service } = start(writeSmtpConfig(smtpAt(server.port)).config);
    const result = (await service.actions.send!(
      {
        ...message,
        body_html: '<p>Bonjour</p>',
        cc: ['bob@example.com', { name: 'Carol', address: 'carol@example.org' }],
        bcc: 'hidden@example.net',
        reply_to: 'support@prokov.test',
      },
      ctx,
    )) as { message_id: string; accepted: string[]; rejected: string[] };
    expect(result.accepted.sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
      'carol@example.org',
      'hidden@example.net',
    ]);
    expect(result.rejected).toEqual([]);
    expect(server.received).toHaveLength(1);
    const got = server.received[0]!;
    expect(got.secure).toBe(false);
    expect(got.from).toBe('noreply@prokov.test');
    expect(got.to.sort()).toEqual(result.accepted);
    expect(got.mail.messageId).toBe(result.message_id);
    expect(got.mail.from?.value).toEqual([{ name: 'Prokov', address: 'noreply@prokov.test' }]);
    expect(got.mail.subject).toBe('Réunion demain');
    expect(got.mail.text).toBe('Bonjour Alice,\nà demain.');
    expect(got.mail.html).toBe('<p>Bonjour</p>');
    expect(got.mail.replyTo?.value[0]?.address).toBe('support@prokov.test');
    // Bcc recipients get the message, but no header names them.
    expect(got.raw).not.toMatch(/^bcc:/im);
    expect(got.raw).not.toContain('hidden@example.net');
  });

  it('upgrades with STARTTLS when the server offers it (tls: false)', async () => {
    const server = await startSmtpServer({ mode: 'starttls' });
    const { service } = start(writeSmtpConfig(smtpAt(server.port, ['tls: false'])).config);
    await service.actions.send!(message, ctx);
    expect(server.received.map((r) => r.secure)).toEqual([true]);
  });

  it('uses implicit TLS with tls: true (465-style)', async () => {
    const server = await startSmtpServer({ mode: 'tls' });
    const { service } = start(writeSmtpConfig(smtpAt(server.port, ['tls: true'])).config);
    await service.actions.send!(message, ctx);
    expect(server.received.map((r) => r.secure)).toEqual([true]);
  });

  it('verifies the server certificate: an untrusted one fails with SMTP_ERROR and nothing is sent', async () => {
    const server = await startSmtpServer({ mode: 'tls' });
    const { service } = start(writeSmtpConfig(smtpAt(server.port, ['tls: true'])).config, false);
    const err = await rejection(service.actions.send!(message, ctx));
    expect(err.code).toBe(ErrorCode.SMTP_ERROR);
    expect(err.message).toBe('TLS negotiation with the SMTP server failed (ESOCKET)');
    expect(err.data).toMatchObject({ reason: 'self-signed certificate' });
    expect(server.mailFroms).toBe(0);
    expect(await service.health!()).toMatchObject({
      apps: { prokov: { state: 'error', failed: 1, sent: 0 } },
    });
  });

  it('authenticates with the password read from password_file, and never logs or returns it', async () => {
    const password = 's3cret-Pa55word';
    const server = await startSmtpServer({
      mode: 'starttls',
      auth: { user: 'mailer@prokov.test', pass: password },
    });
    const good = writeSmtpConfig(
      smtpAt(server.port, ['user: mailer@prokov.test', 'password_file: secrets/smtp_pass']),
      {},
      {
        'secrets/smtp_pass': `${password}\n`,
      },
    );
    const { service, logger } = start(good.config);
    await service.actions.send!(message, ctx);
    expect(server.auths).toEqual([{ username: 'mailer@prokov.test', password }]);
    expect(server.received.map((r) => r.user)).toEqual(['mailer@prokov.test']);
    expect(await service.health!()).toMatchObject({ apps: { prokov: { state: 'ok', sent: 1 } } });

    // A wrong password: SMTP_ERROR with a short message, and the secret appears nowhere.
    const wrongPassword = 'wrong-Pa55word';
    await service.reload!(
      writeSmtpConfig(
        smtpAt(server.port, ['user: mailer@prokov.test', 'password_file: pass']),
        {},
        { pass: wrongPassword },
      ).config,
    );
    const err = await rejection(service.actions.send!(message, ctx));
    expect(err.code).toBe(ErrorCode.SMTP_ERROR);
    expect(err.message).toBe('SMTP authentication failed (EAUTH 535)');
    const health = await service.health!();
    expect(health).toMatchObject({ apps: { prokov: { state: 'error' } } });
    const everything = JSON.stringify([err.message, err.data, health, logger.lines]);
    expect(everything).not.toContain(wrongPassword);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(Buffer.from(wrongPassword).toString('base64'));
    expect(server.received).toHaveLength(1);
  });

  it('reports recipients the server refuses in rejected, and fails when it refuses them all', async () => {
    const server = await startSmtpServer({ mode: 'plain', rejectRecipient: (a) => a.startsWith('nobody') });
    const { service } = start(writeSmtpConfig(smtpAt(server.port)).config);
    const result = await service.actions.send!(
      { ...message, to: ['alice@example.com', 'nobody@example.com'] },
      ctx,
    );
    expect(result).toMatchObject({ accepted: ['alice@example.com'], rejected: ['nobody@example.com'] });
    const err = await rejection(service.actions.send!({ ...message, to: 'nobody@example.com' }, ctx));
    expect(err.code).toBe(ErrorCode.SMTP_ERROR);
    expect(err.data).toMatchObject({ smtp_code: 'EENVELOPE', response_code: 550 });
    // A refusal is an answer from the server: the transport itself is fine.
    expect(await service.health!()).toMatchObject({ apps: { prokov: { state: 'ok', sent: 1, failed: 1 } } });
  });

  it('answers SMTP_ERROR when the server cannot be reached', async () => {
    // Nothing listens on port 1 of the loopback: the connection is refused at once.
    const { service } = start(writeSmtpConfig(smtpAt(1)).config);
    const err = await rejection(service.actions.send!(message, ctx));
    expect(err.code).toBe(ErrorCode.SMTP_ERROR);
    expect(err.message).toMatch(/^cannot connect to the SMTP server/);
  });
});

describe('smtpTransportOptions', () => {
  const base = {
    transport: 'smtp' as const,
    host: 'mail.example.com',
    port: 587,
    from: 'a@example.com',
    tls: false,
  };

  it('maps tls to implicit TLS or opportunistic STARTTLS, pooled, with auth only when a user is set', () => {
    expect(smtpTransportOptions({ ...base, tls: true, port: 465 })).toMatchObject({
      pool: true,
      secure: true,
      port: 465,
    });
    const plain = smtpTransportOptions(base);
    expect(plain).toMatchObject({ pool: true, secure: false, requireTLS: false });
    expect(plain.auth).toBeUndefined();
  });

  it('requires STARTTLS before sending credentials to a remote server, not to a local relay', () => {
    const auth = { ...base, user: 'u', password: 'p' };
    expect(smtpTransportOptions(auth)).toMatchObject({ requireTLS: true, auth: { user: 'u', pass: 'p' } });
    expect(smtpTransportOptions({ ...auth, host: '127.0.0.1' }).requireTLS).toBe(false);
    expect(smtpTransportOptions({ ...auth, host: 'localhost' }).requireTLS).toBe(false);
  });

  it('keeps certificate verification on unless an override says otherwise', () => {
    expect(smtpTransportOptions(base).tls?.rejectUnauthorized).not.toBe(false);
    expect(smtpTransportOptions(base, { tls: { ca: 'x' } }).tls).toEqual({ ca: 'x' });
  });
});
