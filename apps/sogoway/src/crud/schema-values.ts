// Create/update bodies of resources generated from schema/{app}.yaml, checked against the schema's field rules
// (no `describe` round trip): every bad field is named at once in a 400 VALIDATION_ERROR whose data is
// `{ fields: { name: reason } }`, the same on MariaDB and SQLite. Values are converted to what both drivers store
// alike (booleans as 0/1, JSON as its text, datetimes as "YYYY-MM-DD HH:MM:SS").
import type { FieldRule } from '@sogoms/config';
import { canonicalEmail, checkEmailFormat } from '../auth/users.js';
import { nameList, requireObject, type Scalar, validationError } from '../http/body.js';

const INTEGER_TEXT = /^-?[0-9]{1,16}$/;
const NUMBER_TEXT = /^-?[0-9]{1,30}(?:\.[0-9]{1,30})?$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATETIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,6})?)?Z?$/;
/** Longest JSON text accepted in a json field (the body itself is at most 1 MiB). */
const MAX_JSON_BYTES = 65_535;
const MAX_FIELDS_IN_ANSWER = 50;
const MAX_NAME = 64;

const patterns = new Map<string, RegExp>();

/**
 * The columns and values a schema body sets. `create` requires the rules' required fields; the owner key is
 * ignored (its value comes from the token). Throws 400 with the per-field map.
 */
export function schemaBodyColumns(
  body: unknown,
  rules: Readonly<Record<string, FieldRule>>,
  ownerField: string,
  create: boolean,
): { columns: string[]; values: Scalar[] } {
  const object = requireObject(body);
  const problems: Record<string, string> = {};
  const columns: string[] = [];
  const values: Scalar[] = [];
  for (const key of Object.keys(object)) {
    if (key === ownerField || Object.hasOwn(rules, key)) continue;
    problems[key.slice(0, MAX_NAME)] = 'unknown field';
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (!Object.hasOwn(object, name)) {
      if (create && rule.required) problems[name] = 'required';
      continue;
    }
    const checked = checkValue(rule, object[name]);
    if (typeof checked === 'object' && checked !== null && 'problem' in checked)
      problems[name] = checked.problem;
    else {
      columns.push(name);
      values.push(checked as Scalar);
    }
  }
  const names = Object.keys(problems);
  if (names.length > 0) {
    const fields = Object.fromEntries(names.slice(0, MAX_FIELDS_IN_ANSWER).map((n) => [n, problems[n]]));
    throw validationError(`Invalid field(s): ${nameList(names)}`, { fields });
  }
  if (columns.length === 0) {
    throw validationError(`Body must set at least one of: ${nameList(Object.keys(rules))}`);
  }
  return { columns, values };
}

type Checked = Scalar | { problem: string };

function checkValue(rule: FieldRule, value: unknown): Checked {
  if (value === null) return rule.nullable ? null : { problem: 'must not be null' };
  switch (rule.type) {
    case 'int':
    case 'bigint': {
      const n = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isSafeInteger(n) && inRange(rule, n)) return n;
      return { problem: `must be an integer${rangeText(rule)}` };
    }
    case 'decimal': {
      const n = typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : value;
      if (typeof n === 'number' && Number.isFinite(n) && inRange(rule, n)) return n;
      return { problem: `must be a number${rangeText(rule)}` };
    }
    case 'bool':
      if (value === true || value === 1) return 1;
      if (value === false || value === 0) return 0;
      return { problem: 'must be true or false' };
    case 'string':
    case 'text':
      return typeof value === 'string' ? checkText(rule, value) : { problem: 'must be a string' };
    case 'email': {
      if (typeof value !== 'string') return { problem: 'must be a valid email address' };
      const email = canonicalEmail(value.slice(0, 1024));
      try {
        checkEmailFormat(email);
      } catch {
        return { problem: 'must be a valid email address' };
      }
      return checkText(rule, email);
    }
    case 'enum':
      if (typeof value === 'string' && (rule.values ?? []).includes(value)) return value;
      return { problem: `must be one of: ${(rule.values ?? []).join(', ')}` };
    case 'date':
      if (typeof value === 'string' && isDate(value)) return value;
      return { problem: 'must be a date (YYYY-MM-DD)' };
    case 'datetime': {
      const m = typeof value === 'string' ? DATETIME.exec(value) : null;
      if (m && isDate(m[1]!) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4] ?? 0) < 60)
        return `${m[1]} ${m[2]}:${m[3]}:${m[4] ?? '00'}`;
      return { problem: 'must be a date and time (YYYY-MM-DD HH:MM:SS)' };
    }
    case 'json': {
      const text = JSON.stringify(value);
      if (Buffer.byteLength(text, 'utf8') > MAX_JSON_BYTES)
        return { problem: `is too long (max ${MAX_JSON_BYTES} bytes of JSON)` };
      return text;
    }
  }
}

function checkText(rule: FieldRule, text: string): Checked {
  const length = [...text].length;
  if (rule.max !== undefined && length > rule.max)
    return { problem: `must be at most ${rule.max} characters` };
  if (rule.type === 'text' && Buffer.byteLength(text, 'utf8') > 65_535)
    return { problem: 'is too long (max 65535 bytes)' };
  if (rule.min !== undefined && length < rule.min)
    return { problem: `must be at least ${rule.min} characters` };
  if (rule.required && text.trim() === '') return { problem: 'required' };
  if (rule.pattern !== undefined) {
    let re = patterns.get(rule.pattern);
    if (!re) {
      re = new RegExp(`^(?:${rule.pattern})$`, 'u');
      patterns.set(rule.pattern, re);
    }
    if (!re.test(text)) return { problem: 'does not match the expected format' };
  }
  return text;
}

function inRange(rule: FieldRule, n: number): boolean {
  return (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
}

function rangeText(rule: FieldRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` between ${rule.min} and ${rule.max}`;
  if (rule.min !== undefined) return ` of at least ${rule.min}`;
  return rule.max === undefined ? '' : ` of at most ${rule.max}`;
}

/** A real calendar date from 1000-01-01 to 9999-12-31 (MariaDB's DATE range). */
function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
