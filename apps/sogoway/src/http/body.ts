// Request bodies: only JSON is parsed (anything else → 415), at most 1 MiB (→ 413), and handlers get helpers to
// insist on an object of scalar values (→ 400).
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { FastifyInstance } from 'fastify';

export const BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_NAMES_IN_MESSAGE = 10;

export type Scalar = string | number | boolean | null;

/**
 * Keeps fastify's JSON parser (which rejects __proto__ / constructor.prototype keys) but reads an empty body
 * as "no body", and drops the text/plain parser so that only JSON is accepted.
 */
export function installBodyParsing(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // A compressed body would be read as (broken) JSON text: refuse any encoding but identity.
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      done(new SogomsError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Content-Encoding is not supported'), undefined);
      return;
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
}

export function validationError(message: string, data?: Record<string, unknown>): SogomsError {
  return new SogomsError(ErrorCode.VALIDATION_ERROR, message, data);
}

/** The body as a JSON object, or 400. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError('Body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A column value: a JSON scalar, else 400 naming the field. */
export function scalarField(name: string, value: unknown): Scalar {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw validationError(`Field "${shortName(name)}" must be a string, number, boolean or null`, {
    field: shortName(name),
  });
}

/** A required non-empty string field, or 400 naming it. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw validationError(`Field "${name}" is required and must be a non-empty string`, { field: name });
  }
  return value;
}

/** "a, b, c" for a message, bounded so a hostile body cannot make the answer huge. */
export function nameList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES_IN_MESSAGE).map(shortName);
  return names.length > MAX_NAMES_IN_MESSAGE ? `${shown.join(', ')}, ...` : shown.join(', ');
}

function shortName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
