// The one registry of error codes shared by every SOGOMS process. Codes are permanent; messages may change.
// The gateway maps each code to an HTTP status in apps/sogoway/src/http/status.ts.

export const ErrorCode = {
  // HTTP-facing (SPEC §5)
  UNAUTHORIZED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  APP_NOT_FOUND: 'APP_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  DB_ERROR: 'DB_ERROR',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  // IPC protocol (SPEC §2)
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  BAD_REQUEST: 'BAD_REQUEST',
  UNKNOWN_ACTION: 'UNKNOWN_ACTION',
  TIMEOUT: 'TIMEOUT',
  // sogoms-db (SPEC §6)
  DB_DUPLICATE: 'DB_DUPLICATE',
  DB_CONSTRAINT: 'DB_CONSTRAINT',
  DB_UNAVAILABLE: 'DB_UNAVAILABLE',
  UNKNOWN_APP: 'UNKNOWN_APP',
  // sogoms-smtp (SPEC §8)
  TEMPLATE_ERROR: 'TEMPLATE_ERROR',
  TEMPLATE_NOT_FOUND: 'TEMPLATE_NOT_FOUND',
  SMTP_ERROR: 'SMTP_ERROR',
  // sogoms-logs (SPEC §7)
  LOG_WRITE_ERROR: 'LOG_WRITE_ERROR',
  // configuration and supervisor
  CONFIG_ERROR: 'CONFIG_ERROR',
  UNKNOWN_SERVICE: 'UNKNOWN_SERVICE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The error shape that crosses a socket: plain data, rebuilt into a SogomsError by the client. */
export interface WireError {
  code: ErrorCode | string;
  message: string;
  data?: Record<string, unknown>;
}

/** An error carrying a registry code, thrown by handlers and rebuilt by clients. */
export class SogomsError extends Error {
  readonly code: ErrorCode | string;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode | string, message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = 'SogomsError';
    this.code = code;
    this.data = data;
  }

  toWire(): WireError {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** Turns anything thrown into wire data; unknown errors become INTERNAL_ERROR without leaking details. */
export function toWireError(err: unknown): WireError {
  if (err instanceof SogomsError) return err.toWire();
  return { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' };
}

/** Rebuilds a typed error from wire data. */
export function fromWireError(wire: WireError): SogomsError {
  return new SogomsError(wire.code, wire.message, wire.data);
}

export function isSogomsError(err: unknown, code?: ErrorCode): err is SogomsError {
  return err instanceof SogomsError && (code === undefined || err.code === code);
}
