// Email addresses and header values from requests: strict enough to refuse anything a header could be
// smuggled through (CR/LF, control characters, angle brackets), lenient enough for real addresses.
import { ErrorCode, SogomsError } from '@sogoms/protocol';

export interface Address {
  name: string;
  address: string;
}

/** Recipients of one message (to + cc + bcc); larger audiences go through send_bulk. */
export const MAX_RECIPIENTS = 50;
export const MAX_NAME_LENGTH = 200;
export const MAX_SUBJECT_LENGTH = 998;

const LOCAL = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
// Top-level domains are letters, or punycode for internationalised ones.
const TLD = '(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})';
const ADDRESS = new RegExp(`^${LOCAL}@(?:${LABEL}\\.)+${TLD}$`);
const NAMED = /^(.*?)\s*<([^<>]*)>$/s;
/** C0 controls (CR and LF among them) and DEL; a tab is legal in a header. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

export function invalid(field: string, message: string): SogomsError {
  return new SogomsError(ErrorCode.VALIDATION_ERROR, message, { field });
}

/** Throws VALIDATION_ERROR when a header value holds a line break or another control character. */
export function checkHeaderValue(field: string, value: string): string {
  if (hasControlCharacter(value))
    throw invalid(field, `${field} must not contain line breaks or control characters`);
  return value;
}

export function isValidAddress(address: string): boolean {
  if (address.length > 254 || !ADDRESS.test(address)) return false;
  return address.indexOf('@') <= 64;
}

/** One address: "a@b.c", "Name <a@b.c>" or {name?, address}. */
export function parseAddress(field: string, value: unknown): Address {
  let name = '';
  let address: unknown = value;
  if (typeof value === 'string') {
    checkHeaderValue(field, value);
    const named = NAMED.exec(value.trim());
    if (named) {
      name = named[1]!.replace(/^"(.*)"$/s, '$1');
      address = named[2]!.trim();
    } else address = value.trim();
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    if (obj.name !== undefined && typeof obj.name !== 'string')
      throw invalid(field, `${field}.name must be a string`);
    name = obj.name ?? '';
    address = obj.address;
  }
  if (typeof address !== 'string') throw invalid(field, `${field} must be an email address`);
  checkHeaderValue(field, address);
  checkHeaderValue(field, name);
  if (!isValidAddress(address))
    throw invalid(field, `${field} is not a valid email address: ${address.slice(0, 100)}`);
  if (name.length > MAX_NAME_LENGTH || /[<>"]/.test(name))
    throw invalid(field, `${field} has an invalid display name`);
  return { name: name.trim(), address };
}

/** One address or a list of them; undefined when the field is absent and optional. */
export function parseAddressList(field: string, value: unknown, required: boolean): Address[] | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalid(field, `${field} is required`);
    return undefined;
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) {
    if (required) throw invalid(field, `${field} is required`);
    return undefined;
  }
  return list.map((item, i) => parseAddress(Array.isArray(value) ? `${field}[${i}]` : field, item));
}
