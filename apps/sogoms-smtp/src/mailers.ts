// One mailer per app with smtp settings. A reload rebuilds only the apps whose settings changed; a replaced or
// removed mailer is closed once the sends already using it have finished.
import type { PlatformConfig, SmtpSettings } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { createFileMailer } from './file-mailer.js';
import type { Mailer, OutgoingMail, SendResult } from './mail.js';
import { createSmtpMailer, type SmtpTransportOverrides } from './smtp-mailer.js';

interface Entry {
  /** The settings, serialised, to notice a change on reload (kept in memory only, never logged). */
  key: string;
  mailer: Mailer;
  inFlight: number;
  retired: boolean;
  sent: number;
  failed: number;
  /** Last time the server answered (a send, or a refusal of a recipient or message). */
  lastOkAt?: string;
  /** Last time the transport itself failed (connection, TLS, authentication, timeout). */
  lastFaultAt?: string;
  lastError?: string;
}

/** Failures where the server answered: the transport works, the message or a recipient was refused. */
const REFUSALS = new Set(['EENVELOPE', 'EMESSAGE']);

export class Mailers {
  private entries = new Map<string, Entry>();

  constructor(
    config: PlatformConfig,
    private readonly overrides: SmtpTransportOverrides | undefined,
  ) {
    this.reload(config);
  }

  reload(config: PlatformConfig): void {
    const next = new Map<string, Entry>();
    for (const [app, appConfig] of Object.entries(config.apps)) {
      if (!appConfig.smtp) continue;
      const key = JSON.stringify(appConfig.smtp);
      const current = this.entries.get(app);
      next.set(app, current?.key === key ? current : this.build(appConfig.smtp, key));
    }
    for (const [app, entry] of this.entries) if (next.get(app) !== entry) this.retire(entry);
    this.entries = next;
  }

  /** Throws SMTP_ERROR when the app has no smtp section. */
  require(app: string): void {
    if (!this.entries.has(app))
      throw new SogomsError(ErrorCode.SMTP_ERROR, 'no smtp configured for app', { app_id: app });
  }

  async send(app: string, mail: OutgoingMail): Promise<SendResult> {
    this.require(app);
    const entry = this.entries.get(app)!;
    entry.inFlight++;
    try {
      const result = await entry.mailer.send(mail);
      entry.sent++;
      entry.lastOkAt = new Date().toISOString();
      return result;
    } catch (err) {
      entry.failed++;
      entry.lastError = err instanceof Error ? err.message : String(err);
      const refused = err instanceof SogomsError && REFUSALS.has(String(err.data?.smtp_code));
      if (refused) entry.lastOkAt = new Date().toISOString();
      else entry.lastFaultAt = new Date().toISOString();
      throw err;
    } finally {
      entry.inFlight--;
      if (entry.retired && entry.inFlight === 0) entry.mailer.close();
    }
  }

  /**
   * Per app: where it sends and its state from the sends so far — 'unknown' before the first one, 'error'
   * when the transport failed more recently than the server last answered, else 'ok'. Health checks do not
   * connect to the server: they run every few seconds and must not load it.
   */
  health(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [app, e] of this.entries) {
      const faulty = e.lastFaultAt !== undefined && (e.lastOkAt === undefined || e.lastFaultAt >= e.lastOkAt);
      out[app] = {
        ...e.mailer.describe(),
        state: faulty ? 'error' : e.lastOkAt ? 'ok' : 'unknown',
        sent: e.sent,
        failed: e.failed,
        ...(e.lastError ? { last_error: e.lastError } : {}),
      };
    }
    return out;
  }

  close(): void {
    for (const entry of this.entries.values()) this.retire(entry);
    this.entries.clear();
  }

  private build(settings: SmtpSettings, key: string): Entry {
    const mailer =
      settings.transport === 'file' ? createFileMailer(settings) : createSmtpMailer(settings, this.overrides);
    return { key, mailer, inFlight: 0, retired: false, sent: 0, failed: 0 };
  }

  private retire(entry: Entry): void {
    entry.retired = true;
    if (entry.inFlight === 0) entry.mailer.close();
  }
}
