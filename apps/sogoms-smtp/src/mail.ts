// The shapes shared by the mailers: a validated message and what sending it returned.
import type { Address } from './addresses.js';

export interface OutgoingMail {
  to: Address[];
  cc?: Address[];
  bcc?: Address[];
  replyTo?: Address[];
  subject: string;
  text: string;
  html?: string;
}

export interface SendResult {
  message_id: string;
  accepted: string[];
  rejected: string[];
}

/** One app's way out: a pooled SMTP transport or a directory of .eml files. */
export interface Mailer {
  readonly kind: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<SendResult>;
  /** Where it sends (host, port, dir): no credentials. */
  describe(): Record<string, unknown>;
  close(): void;
}

/** nodemailer reports recipients as strings or {name, address}; results carry plain addresses. */
export function addressesOf(list: readonly (string | { address: string })[] | undefined): string[] {
  return (list ?? []).map((a) => (typeof a === 'string' ? a : a.address));
}
