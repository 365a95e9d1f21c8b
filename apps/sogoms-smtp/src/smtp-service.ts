// sogoms-smtp (SPEC §8): send, send_template and send_bulk through each app's mailer (pooled SMTP or .eml
// files), with templates from emails/{app}/ and every header value validated.
import type { PlatformConfig } from '@sogoms/config';
import type { ActionHandler, MinimalLogger } from '@sogoms/protocol';
import { SogomsError } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import { bulkContent, sendBulk } from './bulk.js';
import { findTemplate, renderEmail } from './compose.js';
import type { OutgoingMail, SendResult } from './mail.js';
import { Mailers } from './mailers.js';
import { appOf, dataOf, envelopeOf, stringOf, subjectOf } from './params.js';
import type { SmtpTransportOverrides } from './smtp-mailer.js';

export interface SmtpServiceOptions {
  config: PlatformConfig;
  logger: MinimalLogger;
  /** Extra nodemailer options for every SMTP transport (tests trust their own CA); production passes none. */
  smtpOverrides?: SmtpTransportOverrides;
}

export function createSmtpService(opts: SmtpServiceOptions): ServiceInstance {
  const { logger } = opts;
  let config = opts.config;
  const mailers = new Mailers(config, opts.smtpOverrides);

  const deliver = async (app: string, action: string, mail: OutgoingMail): Promise<SendResult> => {
    try {
      const result = await mailers.send(app, mail);
      logger.info(
        { app, action, message_id: result.message_id, recipients: result.accepted.length },
        'email sent',
      );
      return result;
    } catch (err) {
      const e = err instanceof SogomsError ? err : undefined;
      logger.warn({ app, action, code: e?.code, message: e?.message, data: e?.data }, 'email not sent');
      throw err;
    }
  };

  const actions: Record<string, ActionHandler> = {
    send: async (params) => {
      const app = appOf(config, params);
      mailers.require(app.app);
      const mail: OutgoingMail = {
        ...envelopeOf(params),
        subject: subjectOf('subject', params.subject),
        text: stringOf('body', params.body, true)!,
      };
      const html = stringOf('body_html', params.body_html, false);
      if (html !== undefined) mail.html = html;
      return deliver(app.app, 'send', mail);
    },

    send_template: async (params) => {
      const app = appOf(config, params);
      mailers.require(app.app);
      const envelope = envelopeOf(params);
      const template = findTemplate(app.emails, params.template);
      const rendered = renderEmail(`template "${template.name}"`, template, dataOf('data', params.data));
      return deliver(app.app, 'send_template', { ...envelope, ...rendered });
    },

    send_bulk: async (params) => {
      const app = appOf(config, params);
      mailers.require(app.app);
      const content = bulkContent(app, params);
      const result = await sendBulk(content, params.recipients, (mail) =>
        deliver(app.app, 'send_bulk', mail),
      );
      logger.info({ app: app.app, sent: result.sent, failed: result.failed }, 'bulk send finished');
      return result;
    },
  };

  return {
    actions,
    health: () => ({ apps: mailers.health() }),
    reload(next) {
      mailers.reload(next);
      config = next;
    },
    async close() {
      mailers.close();
    },
  };
}
