// The seed's JSON envelope, serialized by hand: `{"success":true,"message","data"}` or
// `{"success":false,"error":{"code","message"}}`. Building the string directly skips fastify's serializer
// lookup on the hot path; JSON.stringify still escapes every value.
import { RawJson } from '@sogoms/protocol';
import type { FastifyReply } from 'fastify';
import type { HttpError } from './status.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The body of a success answer; `meta` is added beside `data` when given (list pagination). Data already in
 * JSON text (RawJson from sogoms-db) is inserted as it is.
 */
export function okBody(message: string, data: unknown, meta?: object): string {
  const json = data instanceof RawJson ? data.json : (JSON.stringify(data) ?? 'null');
  const head = '{"success":true,"message":' + JSON.stringify(message) + ',"data":' + json;
  return meta === undefined ? head + '}' : head + ',"meta":' + JSON.stringify(meta) + '}';
}

/**
 * The body of an error answer; `data` (health details) is added beside `error` when given, `extra` fields
 * (a DB_ERROR's request_id and detail) inside `error`.
 */
export function errorBody(
  code: string,
  message: string,
  data?: unknown,
  extra?: Readonly<Record<string, unknown>>,
): string {
  let error =
    '{"success":false,"error":{"code":' + JSON.stringify(code) + ',"message":' + JSON.stringify(message);
  if (extra)
    for (const [key, value] of Object.entries(extra))
      error += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return data === undefined ? error + '}}' : error + '},"data":' + JSON.stringify(data) + '}';
}

export function sendOk(
  reply: FastifyReply,
  status: number,
  message: string,
  data: unknown,
  meta?: object,
): void {
  reply
    .code(status)
    .header('content-type', JSON_CONTENT_TYPE)
    .send(okBody(message, data, meta));
}

export function sendError(
  reply: FastifyReply,
  error: HttpError,
  data?: unknown,
  extra?: Readonly<Record<string, unknown>>,
): void {
  reply
    .code(error.status)
    .header('content-type', JSON_CONTENT_TYPE)
    .send(errorBody(error.code, error.message, data, extra));
}
