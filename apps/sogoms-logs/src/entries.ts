// Validation of log_event / log_error params into the record written as one JSON line, `ts` first.
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { type LogType, SAFE_APP_ID } from './file-names.js';

export const LEVELS = ['error', 'warn', 'info'] as const;
export const MAX_EVENT_LENGTH = 200;
export const MAX_MESSAGE_LENGTH = 10_000;
export const MAX_IP_LENGTH = 100;

export interface LogEntry {
  app: string;
  type: LogType;
  /** The fields after `ts`, in the order they are written. */
  fields: Record<string, unknown>;
}

/** log_event {app_id, event, user_id?, ip?, data?}. */
export function eventEntry(params: Record<string, unknown>, requestId: string): LogEntry {
  const app = appId(params);
  const fields: Record<string, unknown> = { app_id: app, request_id: requestId };
  fields.event = text(params, 'event', MAX_EVENT_LENGTH, true);
  if (params.user_id !== undefined && params.user_id !== null) fields.user_id = userId(params.user_id);
  if (params.ip !== undefined && params.ip !== null) fields.ip = text(params, 'ip', MAX_IP_LENGTH, true);
  if (params.data !== undefined) fields.data = params.data;
  return { app, type: 'events', fields };
}

/** log_error {app_id, level: error|warn|info, message, context?}. */
export function errorEntry(params: Record<string, unknown>, requestId: string): LogEntry {
  const app = appId(params);
  const level = params.level;
  if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) {
    throw invalid('level', `level must be one of ${LEVELS.join(', ')}`);
  }
  const fields: Record<string, unknown> = { app_id: app, request_id: requestId, level };
  fields.message = text(params, 'message', MAX_MESSAGE_LENGTH, false);
  if (params.context !== undefined) fields.context = params.context;
  return { app, type: 'errors', fields };
}

/** The app id becomes part of a file name, so only a safe identifier is accepted; unknown apps are logged too. */
function appId(params: Record<string, unknown>): string {
  const app = params.app_id;
  if (typeof app !== 'string' || !SAFE_APP_ID.test(app)) {
    throw invalid('app_id', 'app_id must be an app identifier (letters, digits, "_" and "-")');
  }
  return app;
}

function text(params: Record<string, unknown>, key: string, max: number, nonEmpty: boolean): string {
  const value = params[key];
  if (typeof value !== 'string' || (nonEmpty && value.trim() === '')) {
    throw invalid(key, `${key} must be a ${nonEmpty ? 'non-empty ' : ''}string`);
  }
  if (value.length > max) throw invalid(key, `${key} is longer than ${max} characters`);
  return value;
}

function userId(value: unknown): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && value.length > 0 && value.length <= 100) return value;
  throw invalid('user_id', 'user_id must be an integer or a short string');
}

function invalid(field: string, message: string): SogomsError {
  return new SogomsError(ErrorCode.VALIDATION_ERROR, message, { field });
}
