// What a DB_ERROR answer says beyond its code: the request id (to find the log line holding the database's
// message), and that message itself for apps that opt in with `errors: { detail: true }` (development).
import type { AppConfig } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { HttpError } from './status.js';

/** The database message kept from sogoms-db's answer (it scrubs bound values and bounds it already). */
export const DB_DETAIL_MAX = 300;

/** The database's message carried by a DB_ERROR from sogoms-db (`data.detail`), if any. */
export function dbErrorDetail(err: unknown): string | undefined {
  if (!(err instanceof SogomsError) || err.code !== ErrorCode.DB_ERROR) return undefined;
  const detail = err.data?.['detail'];
  return typeof detail === 'string' && detail !== '' ? detail.slice(0, DB_DETAIL_MAX) : undefined;
}

/** Fields added inside `error` of the body: for DB_ERROR the request id, and the detail where the app opts in. */
export function errorExtras(
  http: HttpError,
  err: unknown,
  requestId: string,
  app: AppConfig | undefined,
): Record<string, string> | undefined {
  if (http.code !== ErrorCode.DB_ERROR) return undefined;
  const extra: Record<string, string> = { request_id: requestId };
  const detail = app?.errors?.detail ? dbErrorDetail(err) : undefined;
  if (detail !== undefined) extra['detail'] = detail;
  return extra;
}
