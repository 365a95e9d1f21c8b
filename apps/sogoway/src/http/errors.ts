// Every failure becomes the error envelope: SogomsErrors through the status table, fastify's own errors
// (body too large, wrong content type, bad JSON) by their codes, anything else as a bare 500.
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { FastifyReply } from 'fastify';
import { sendError } from './envelope.js';
import { type HttpError, httpErrorFor } from './status.js';

const FASTIFY_ERRORS: Record<string, HttpError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: ErrorCode.PAYLOAD_TOO_LARGE,
    message: 'Request body is larger than 1 MiB',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    message: 'Content-Type must be application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: ErrorCode.VALIDATION_ERROR,
    message: 'Body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ErrorCode.VALIDATION_ERROR, message: 'Body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: ErrorCode.VALIDATION_ERROR,
    message: 'Content-Length does not match the body',
  },
};

const BY_STATUS: Record<number, HttpError> = {
  404: { status: 404, code: ErrorCode.NOT_FOUND, message: 'Route not found' },
  405: { status: 405, code: ErrorCode.METHOD_NOT_ALLOWED, message: 'Method not allowed' },
  413: FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE!,
  415: FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE!,
};

const INTERNAL: HttpError = { status: 500, code: ErrorCode.INTERNAL_ERROR, message: 'Internal error' };
const BAD_REQUEST: HttpError = { status: 400, code: ErrorCode.VALIDATION_ERROR, message: 'Bad request' };

/** What the client is told about `err`. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof SogomsError) return httpErrorFor(err.code, err.message);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && Object.hasOwn(FASTIFY_ERRORS, code)) return FASTIFY_ERRORS[code]!;
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // secure-json-parse's SyntaxError (bad JSON, __proto__ keys) carries statusCode 400 and no code.
      if (err instanceof SyntaxError) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY!;
      return BY_STATUS[status] ?? BAD_REQUEST;
    }
  }
  return INTERNAL;
}

/** Sends the envelope for `err`, with Retry-After on 429; `extra` fields go inside `error` (error-detail.ts). */
export function sendFailure(
  reply: FastifyReply,
  err: unknown,
  http: HttpError = toHttpError(err),
  extra?: Readonly<Record<string, string>>,
): void {
  if (http.code === ErrorCode.RATE_LIMITED && err instanceof SogomsError) {
    const retry = err.data?.retryAfterS;
    if (typeof retry === 'number') reply.header('retry-after', String(retry));
  }
  sendError(reply, http, undefined, withFields(err, http, extra));
}

/** A schema resource's per-field map (`{ name: reason }`) goes to the client inside `error` as `fields`. */
function withFields(
  err: unknown,
  http: HttpError,
  extra: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (http.code !== ErrorCode.VALIDATION_ERROR || !(err instanceof SogomsError)) return extra;
  const fields = err.data?.fields;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return extra;
  return { ...extra, fields };
}
