import { escapeHtml, isTruthy, lookupKey, printValue } from './values.js';

// Implementations of the names in FUNCTION_NAMES. Arguments arrive as thunks so and/or can short-circuit.

type Thunk = () => unknown;

function basicKind(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v === null || v === undefined) return 'nil';
  return 'other';
}

function compare(a: unknown, b: unknown): number {
  const ka = basicKind(a);
  if (ka !== basicKind(b) || (ka !== 'number' && ka !== 'string')) {
    throw new Error(`incompatible types for comparison: ${printValue(a)} and ${printValue(b)}`);
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const ka = basicKind(a);
  if (ka === 'other' || ka !== basicKind(b)) throw new Error('incompatible types for comparison');
  return a === b;
}

function arity(name: string, args: Thunk[], n: number): void {
  if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

/** Calls built-in `name`; throws a plain Error whose message the executor wraps with a position. */
export function callFunction(name: string, args: Thunk[]): unknown {
  const values = (): unknown[] => args.map((a) => a());
  switch (name) {
    case 'and': {
      if (args.length === 0) throw new Error('and needs at least one argument');
      let v: unknown;
      for (const a of args) {
        v = a();
        if (!isTruthy(v)) return v;
      }
      return v;
    }
    case 'or': {
      if (args.length === 0) throw new Error('or needs at least one argument');
      let v: unknown;
      for (const a of args) {
        v = a();
        if (isTruthy(v)) return v;
      }
      return v;
    }
    case 'not':
      arity(name, args, 1);
      return !isTruthy(args[0]!());
    case 'eq': {
      if (args.length < 2) throw new Error('eq needs at least two arguments');
      const [first, ...rest] = values();
      return rest.some((b) => equal(first, b));
    }
    case 'ne': {
      arity(name, args, 2);
      const [a, b] = values();
      return !equal(a, b);
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      arity(name, args, 2);
      const c = compare(...(values() as [unknown, unknown]));
      return name === 'lt' ? c < 0 : name === 'le' ? c <= 0 : name === 'gt' ? c > 0 : c >= 0;
    }
    case 'len': {
      arity(name, args, 1);
      const v = args[0]!();
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (v instanceof Map) return v.size;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw new Error(`len of ${printValue(v)}`);
    }
    case 'index': {
      if (args.length < 1) throw new Error('index needs an argument');
      const [first, ...keys] = values();
      let v = first;
      for (const key of keys) {
        if (Array.isArray(v) && typeof key === 'number') {
          if (key < 0 || key >= v.length || !Number.isInteger(key))
            throw new Error(`index out of range: ${key}`);
          v = v[key];
        } else {
          // Go returns the zero value for an absent map key in index; nil prints as ''.
          v = lookupKey(v, String(key)).value ?? null;
        }
      }
      return v;
    }
    case 'print': {
      // fmt.Sprint: a space between operands when neither side is a string.
      const vs = values();
      return vs
        .map(
          (v, i) =>
            (i > 0 && typeof v !== 'string' && typeof vs[i - 1] !== 'string' ? ' ' : '') + printValue(v),
        )
        .join('');
    }
    case 'html':
      return escapeHtml(values().map(printValue).join(''));
    case 'urlquery':
      return encodeURIComponent(values().map(printValue).join(''));
    default:
      throw new Error(`function "${name}" not defined`);
  }
}
