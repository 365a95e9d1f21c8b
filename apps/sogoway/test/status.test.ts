import { ErrorCode } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { HTTP_ERRORS, httpErrorFor } from '../src/http/status.js';

// The codes SPEC §5 lets an HTTP client see, with their statuses (plus RESULT_TOO_LARGE: one answer over the
// protocol's frame limit, a code of its own so the client knows to ask for a smaller page).
const PUBLIC: Record<string, number> = {
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  VALIDATION_ERROR: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  DB_ERROR: 500,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  RESULT_TOO_LARGE: 422,
};

describe('HTTP status table', () => {
  it('has an entry for every code of the registry', () => {
    const missing = Object.values(ErrorCode).filter((code) => !Object.hasOwn(HTTP_ERRORS, code));
    expect(missing).toEqual([]);
  });

  it('has no entry for a code that is not in the registry', () => {
    const registry = new Set<string>(Object.values(ErrorCode));
    expect(Object.keys(HTTP_ERRORS).filter((code) => !registry.has(code))).toEqual([]);
  });

  it('gives the SPEC statuses to the public codes, and exposes them as themselves', () => {
    for (const [code, status] of Object.entries(PUBLIC)) {
      const http = httpErrorFor(code, 'msg');
      expect({ code, status: http.status }).toEqual({ code, status });
      expect(http.code).toBe(code);
    }
  });

  it('shows every internal code as a public one', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(Object.keys(PUBLIC)).toContain(httpErrorFor(code, 'x').code);
    }
  });

  it('never passes a 5xx message through (it may hold SQL or paths)', () => {
    for (const code of Object.values(ErrorCode)) {
      const http = httpErrorFor(code, 'SELECT secret FROM users /var/lib');
      if (http.status >= 500) expect(http.message).not.toContain('SELECT');
    }
  });

  it('maps backend failures as documented', () => {
    expect(httpErrorFor('DB_DUPLICATE', "Duplicate entry 'a@b.c' for key 'email'")).toEqual({
      status: 409,
      code: 'CONFLICT',
      message: 'Duplicate entry',
    });
    expect(httpErrorFor('DB_CONSTRAINT', 'fk').status).toBe(409);
    for (const code of ['TIMEOUT', 'DB_UNAVAILABLE', 'SERVICE_UNAVAILABLE', 'UNKNOWN_APP']) {
      expect(httpErrorFor(code, 'x')).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    }
    expect(httpErrorFor('DB_ERROR', 'syntax error near SELECT')).toEqual({
      status: 500,
      code: 'DB_ERROR',
      message: 'Database error',
    });
  });

  it('treats an unknown code as an internal error', () => {
    expect(httpErrorFor('SOMETHING_NEW', 'details')).toEqual({
      status: 500,
      code: 'INTERNAL_ERROR',
      message: 'Internal error',
    });
  });
});
