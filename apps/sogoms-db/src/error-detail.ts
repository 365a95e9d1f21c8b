// A DB_ERROR answer carries the database's message, scrubbed of values (errors.ts), in `data.detail`: the
// gateway logs it with the request id, and puts it in the JSON body of apps that opt in (`errors.detail`).
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describeDriverError } from './errors.js';

/** `mapped` itself, or for a DB_ERROR from a driver a copy carrying the scrubbed driver message. */
export function withDetail(mapped: SogomsError, err: unknown): SogomsError {
  if (mapped.code !== ErrorCode.DB_ERROR || err === mapped) return mapped;
  const detail = describeDriverError(err)['detail'];
  if (typeof detail !== 'string' || detail === '') return mapped;
  return new SogomsError(mapped.code, mapped.message, { ...mapped.data, detail });
}
