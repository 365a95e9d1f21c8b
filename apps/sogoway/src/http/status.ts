// The one table turning a registry code into what an HTTP client sees (CONVENTIONS: "each code's HTTP status in
// one table in the gateway"). Codes the client should not learn about (backend protocol details, driver
// errors) are shown as a public code with a fixed message, so no SQL text or internal detail ever leaks.
import { ErrorCode } from '@sogoms/protocol';

export interface HttpMapping {
  status: number;
  /** The code sent to the client; the code itself when absent. */
  publicCode?: ErrorCode;
  /** A fixed message replacing the error's own (always set for 5xx: their messages may carry internals). */
  publicMessage?: string;
}

const INTERNAL = {
  status: 500,
  publicCode: ErrorCode.INTERNAL_ERROR,
  publicMessage: 'Internal error',
} as const;
const UNAVAILABLE = {
  status: 503,
  publicCode: ErrorCode.SERVICE_UNAVAILABLE,
  publicMessage: 'Service unavailable',
} as const;

export const HTTP_ERRORS = {
  UNAUTHORIZED: { status: 401 },
  INVALID_CREDENTIALS: { status: 401 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  APP_NOT_FOUND: { status: 404 },
  METHOD_NOT_ALLOWED: { status: 405 },
  CONFLICT: { status: 409 },
  VALIDATION_ERROR: { status: 400 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  RATE_LIMITED: { status: 429 },
  DB_ERROR: { status: 500, publicMessage: 'Database error' },
  INTERNAL_ERROR: INTERNAL,
  SERVICE_UNAVAILABLE: UNAVAILABLE,
  // One request's answer would not fit in a protocol frame (16 MiB): that request alone fails, with a code the
  // client can act on (ask for a smaller page); the shared connection to the backend stays open.
  RESULT_TOO_LARGE: { status: 422, publicMessage: 'Result too large: request a smaller page' },
  // A backend refusing the gateway's own request is a gateway bug, not the client's.
  PROTOCOL_ERROR: INTERNAL,
  BAD_REQUEST: INTERNAL,
  UNKNOWN_ACTION: INTERNAL,
  TIMEOUT: UNAVAILABLE,
  // The backend's message names the key and the value: replaced by a neutral one.
  DB_DUPLICATE: { status: 409, publicCode: ErrorCode.CONFLICT, publicMessage: 'Duplicate entry' },
  // Foreign-key and other integrity failures. Deleting a row still referenced is a conflict with the state of
  // the data (409); the CRUD create/update handlers turn it into 400 VALIDATION_ERROR (a bad reference in input).
  DB_CONSTRAINT: { status: 409, publicCode: ErrorCode.CONFLICT, publicMessage: 'Constraint violation' },
  DB_UNAVAILABLE: UNAVAILABLE,
  // sogoms-db does not (yet) know an app the gateway serves: a config reload in progress on one side.
  UNKNOWN_APP: UNAVAILABLE,
  TEMPLATE_ERROR: INTERNAL,
  TEMPLATE_NOT_FOUND: INTERNAL,
  SMTP_ERROR: UNAVAILABLE,
  LOG_WRITE_ERROR: UNAVAILABLE,
  CONFIG_ERROR: INTERNAL,
  UNKNOWN_SERVICE: INTERNAL,
} as const satisfies Record<ErrorCode, HttpMapping>;

export interface HttpError {
  status: number;
  code: string;
  message: string;
}

/** What the client sees for an error code and message; unknown codes are internal errors. */
export function httpErrorFor(code: string, message: string): HttpError {
  const mapping: HttpMapping | undefined = Object.hasOwn(HTTP_ERRORS, code)
    ? HTTP_ERRORS[code as ErrorCode]
    : INTERNAL;
  return {
    status: mapping.status,
    code: mapping.publicCode ?? code,
    message: mapping.publicMessage ?? message,
  };
}
