// An app's pooled SMTP transport (SPEC §8). tls: true is implicit TLS (465); tls: false upgrades with STARTTLS
// whenever the server offers it, and insists on it before sending credentials to a server that is not local.
import { isIP } from 'node:net';
import type { SmtpSettings } from '@sogoms/config';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { addressesOf, type Mailer, type OutgoingMail, type SendResult } from './mail.js';
import { smtpFailure } from './smtp-errors.js';

export const SMTP_MAX_CONNECTIONS = 5;
export const SMTP_MAX_MESSAGES_PER_CONNECTION = 100;
export const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
export const SMTP_GREETING_TIMEOUT_MS = 10_000;
export const SMTP_SOCKET_TIMEOUT_MS = 60_000;

/** Extra nodemailer options for every SMTP transport; tests use it to trust their self-signed server CA. */
export type SmtpTransportOverrides = Partial<SMTPPool.Options>;

const isLoopback = (host: string) =>
  host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';

/** The nodemailer pool options for an app's settings. */
export function smtpTransportOptions(
  settings: SmtpSettings,
  overrides: SmtpTransportOverrides = {},
): SMTPPool.Options {
  const withAuth = settings.user !== undefined && settings.user !== '';
  const options: SMTPPool.Options = {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.tls,
    // Without it, an attacker stripping STARTTLS from the greeting would receive the password in clear.
    requireTLS: !settings.tls && withAuth && !isLoopback(settings.host),
    maxConnections: SMTP_MAX_CONNECTIONS,
    maxMessages: SMTP_MAX_MESSAGES_PER_CONNECTION,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
    ...overrides,
  };
  if (withAuth) options.auth = { user: settings.user!, pass: settings.password ?? '' };
  if (overrides.tls) options.tls = { ...overrides.tls };
  return options;
}

export function fromAddress(settings: SmtpSettings): { name: string; address: string } {
  return { name: settings.fromName ?? '', address: settings.from };
}

export function createSmtpMailer(settings: SmtpSettings, overrides?: SmtpTransportOverrides): Mailer {
  const transporter = nodemailer.createTransport(smtpTransportOptions(settings, overrides));
  const secrets = settings.password ? [settings.password] : [];
  return {
    kind: 'smtp',
    async send(mail: OutgoingMail): Promise<SendResult> {
      try {
        const info = await transporter.sendMail({ ...mail, from: fromAddress(settings) });
        return {
          message_id: info.messageId,
          accepted: addressesOf(info.accepted),
          rejected: addressesOf(info.rejected),
        };
      } catch (err) {
        throw smtpFailure(err, secrets);
      }
    },
    describe: () => ({ transport: 'smtp', host: settings.host, port: settings.port, tls: settings.tls }),
    close: () => transporter.close(),
  };
}
