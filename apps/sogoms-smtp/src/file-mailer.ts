// transport: file — each message is built by nodemailer exactly as it would be sent (RFC 822, CRLF) and written
// to smtp.dir as an .eml file, atomically: a hidden temporary name, then a rename. Bcc stays in the headers so
// a developer can see every recipient.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SmtpSettings } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import nodemailer from 'nodemailer';
import { addressesOf, type Mailer, type OutgoingMail, type SendResult } from './mail.js';
import { fromAddress } from './smtp-mailer.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "20251216-123456-789" in UTC, so that file names sort by sending time. */
function stamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}-${pad(d.getUTCMilliseconds(), 3)}`;
}

export function createFileMailer(settings: SmtpSettings): Mailer {
  const dir = settings.dir!;
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    kind: 'file',
    async send(mail: OutgoingMail): Promise<SendResult> {
      const info = await composer.sendMail({ ...mail, from: fromAddress(settings) });
      const id = /^<([^@>]+)/.exec(info.messageId)?.[1]?.replace(/[^A-Za-z0-9._-]/g, '_') ?? randomUUID();
      const name = `${stamp(new Date())}-${id}.eml`;
      const temp = join(dir, `.${name}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(temp, info.message as Buffer, { mode: 0o640, flag: 'wx' });
        await rename(temp, join(dir, name));
      } catch (err) {
        await rm(temp, { force: true }).catch(() => undefined);
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new SogomsError(ErrorCode.SMTP_ERROR, `cannot write the email file (${code})`, { dir });
      }
      return { message_id: info.messageId, accepted: addressesOf(info.envelope.to), rejected: [] };
    },
    describe: () => ({ transport: 'file', dir }),
    close: () => composer.close(),
  };
}
