// Request and response shapes of the IPC protocol (SPEC §2), and their validation.
import type { WireError } from './errors.js';

export interface ProtocolRequest {
  id: string;
  action: string;
  params: Record<string, unknown>;
}

export type ProtocolResponse =
  | { id: string | null; status: 'success'; result: unknown }
  | { id: string | null; status: 'error'; error: WireError };

let counter = 0;
const suffix = process.pid.toString(36);
let stampSecond = -1;
let stamp = '';

/** A request id in the original's style, `req_YYYYMMDDhhmmss.ffffff`, made unique within the process. */
export function newRequestId(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== stampSecond) {
    // Formatting a date costs more than the rest of a round trip: do it once a second.
    const iso = new Date(nowMs).toISOString(); // 2025-12-16T12:34:56.789Z
    stamp =
      iso.slice(0, 4) +
      iso.slice(5, 7) +
      iso.slice(8, 10) +
      iso.slice(11, 13) +
      iso.slice(14, 16) +
      iso.slice(17, 19);
    stampSecond = second;
  }
  counter = counter === 999_999 ? 0 : counter + 1;
  return `req_${stamp}.${String(counter).padStart(6, '0')}_${suffix}`;
}

/** Returns the request, or a reason it is not one. */
export function asRequest(value: unknown): ProtocolRequest | { invalid: string; id: string | null } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { invalid: 'a request must be a JSON object', id: null };
  }
  const obj = value as Record<string, unknown>;
  const id = typeof obj.id === 'string' ? obj.id : null;
  if (id === null || id.length === 0 || id.length > 200)
    return { invalid: 'request id must be a non-empty string', id };
  if (typeof obj.action !== 'string' || obj.action.length === 0)
    return { invalid: 'request action must be a string', id };
  const params = obj.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { invalid: 'request params must be an object', id };
  }
  return { id, action: obj.action, params: params as Record<string, unknown> };
}
