// Validation of the request params shared by send, send_template and send_bulk.
import type { AppConfig, PlatformConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import {
  checkHeaderValue,
  invalid,
  MAX_RECIPIENTS,
  MAX_SUBJECT_LENGTH,
  parseAddressList,
} from './addresses.js';
import type { OutgoingMail } from './mail.js';

export type Envelope = Pick<OutgoingMail, 'to' | 'cc' | 'bcc' | 'replyTo'>;

/** The app of a request; UNKNOWN_APP when the configuration has no such app. */
export function appOf(config: PlatformConfig, params: Record<string, unknown>): AppConfig {
  const app = params.app_id;
  if (typeof app !== 'string' || app === '') throw invalid('app_id', 'app_id is required');
  if (!Object.hasOwn(config.apps, app))
    throw new SogomsError(ErrorCode.UNKNOWN_APP, `unknown app "${app.slice(0, 64)}"`);
  return config.apps[app]!;
}

/** to (required), cc, bcc, reply_to: each an address or a list of them. */
export function envelopeOf(params: Record<string, unknown>): Envelope {
  const envelope: Envelope = { to: parseAddressList('to', params.to, true)! };
  const cc = parseAddressList('cc', params.cc, false);
  const bcc = parseAddressList('bcc', params.bcc, false);
  const replyTo = parseAddressList('reply_to', params.reply_to, false);
  if (cc) envelope.cc = cc;
  if (bcc) envelope.bcc = bcc;
  if (replyTo) envelope.replyTo = replyTo;
  const count = envelope.to.length + (cc?.length ?? 0) + (bcc?.length ?? 0);
  if (count > MAX_RECIPIENTS)
    throw invalid('to', `at most ${MAX_RECIPIENTS} recipients per message (use send_bulk)`);
  return envelope;
}

export function subjectOf(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(field, `${field} must be a non-empty string`);
  if (value.length > MAX_SUBJECT_LENGTH)
    throw invalid(field, `${field} is longer than ${MAX_SUBJECT_LENGTH} characters`);
  return checkHeaderValue(field, value);
}

export function stringOf(field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw invalid(field, `${field} must be a string`);
  return value;
}

/** Template data: an object (absent means {}). */
export function dataOf(field: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field, `${field} must be an object`);
  return value as Record<string, unknown>;
}
