// Turns nodemailer failures into short SMTP_ERRORs. Nothing from the AUTH exchange is ever repeated, and any
// secret that could still appear in a server response is scrubbed before it reaches a message or a log line.
import { ErrorCode, SogomsError } from '@sogoms/protocol';

const MAX_RESPONSE_LENGTH = 200;

interface MailerError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

const REASONS: Record<string, string> = {
  EAUTH: 'SMTP authentication failed',
  ECONNECTION: 'cannot connect to the SMTP server',
  ESOCKET: 'cannot connect to the SMTP server',
  EDNS: 'cannot resolve the SMTP server',
  ETIMEDOUT: 'SMTP server timed out',
  ETLS: 'TLS negotiation with the SMTP server failed',
  EENVELOPE: 'SMTP server refused the sender or recipients',
  EMESSAGE: 'SMTP server refused the message',
  EPROTOCOL: 'SMTP protocol error',
};

const SOCKET_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETIMEDOUT', 'ETLS']);

/** The SMTP_ERROR for a failed send: a fixed reason per nodemailer code, plus the server reply for refusals. */
export function smtpFailure(err: unknown, secrets: readonly string[]): SogomsError {
  const e = (err ?? {}) as MailerError;
  const code = typeof e.code === 'string' ? e.code : 'ESEND';
  const detail = typeof e.message === 'string' ? scrub(e.message, secrets).slice(0, MAX_RESPONSE_LENGTH) : '';
  // nodemailer reports a refused certificate as a socket error; its message tells them apart.
  const tlsFailure = SOCKET_CODES.has(code) && /certificate|ssl|tls/i.test(detail);
  const reason = tlsFailure ? REASONS.ETLS! : (REASONS[code] ?? 'sending the email failed');
  const data: Record<string, unknown> = { smtp_code: code };
  // Network and TLS details ("connect ECONNREFUSED ...", "self-signed certificate") help the operator.
  if (SOCKET_CODES.has(code) && detail) data.reason = detail;
  if (typeof e.responseCode === 'number') data.response_code = e.responseCode;
  // A refusal's reply ("550 5.1.1 <x@y.z>: user unknown") helps the caller; an AUTH reply is never passed on.
  if ((code === 'EENVELOPE' || code === 'EMESSAGE') && typeof e.response === 'string') {
    data.response = scrub(e.response, secrets).slice(0, MAX_RESPONSE_LENGTH);
  }
  const suffix = data.response_code ? ` ${data.response_code}` : '';
  return new SogomsError(ErrorCode.SMTP_ERROR, `${reason} (${code}${suffix})`, data);
}

/** Removes every secret, and its base64 forms, from a text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 3) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')])
      out = out.split(form).join('[redacted]');
  }
  return out;
}
