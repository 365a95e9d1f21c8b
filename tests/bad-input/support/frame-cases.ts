// Cases of bad IPC input (SPEC §2): raw bytes to write to a service socket and what the service must answer.
// The expectation of every case is computed here from the bytes themselves (is the payload JSON? is it a
// request?), not assumed from how the case was made, so a mutation that happens to stay valid is judged right.
import { DEFAULT_MAX_FRAME_BYTES } from '@sogoms/protocol';
import type { Rng } from './random.js';

/** A service socket under test and the actions and param names it knows. */
export interface Target {
  name: string;
  socketPath: string;
  actions: Record<string, string[]>;
  /** Param values never to send (sogoctl's restart must never be given a real service name). */
  forbidden?: (action: string, params: Record<string, unknown>) => boolean;
}

export type Expect =
  /** PROTOCOL_ERROR with id null (and this exact message, if given), then the server closes the connection. */
  | { kind: 'protocol-error'; message?: string }
  /** One answer per request frame, in any order, each with its id (BAD_REQUEST answers may carry id null). */
  | { kind: 'answers'; ids: Array<string | null>; codes: Array<string | undefined> }
  /** Nothing definite (incomplete frame): the service must simply survive. */
  | { kind: 'nothing' };

export interface FrameCase {
  label: string;
  chunks: Buffer[];
  expect: Expect;
}

const HEADER = 4;

export function frame(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, HEADER);
  return out;
}

function header(length: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER);
  out.writeUInt32BE(length >>> 0, 0);
  return out;
}

/** What a complete payload must produce, mirroring the server's rules. */
function judge(
  payload: Buffer,
  target: Target,
): { protocolError: true } | { id: string | null; code?: string } {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return { protocolError: true };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { id: null, code: 'BAD_REQUEST' };
  const obj = value as Record<string, unknown>;
  const id = typeof obj.id === 'string' ? obj.id : null;
  if (id === null || id.length === 0 || id.length > 200) return { id, code: 'BAD_REQUEST' };
  if (typeof obj.action !== 'string' || obj.action.length === 0) return { id, code: 'BAD_REQUEST' };
  const params = obj.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return { id, code: 'BAD_REQUEST' };
  if (!Object.hasOwn(target.actions, obj.action)) return { id, code: 'UNKNOWN_ACTION' };
  return { id }; // a real action: success or any registry error
}

/** Frames of complete payloads, judged one by one; a protocol error ends the connection there. */
function framesCase(
  label: string,
  payloads: Buffer[],
  target: Target,
  split?: (all: Buffer) => Buffer[],
): FrameCase {
  const ids: Array<string | null> = [];
  const codes: Array<string | undefined> = [];
  const sent: Buffer[] = [];
  for (const payload of payloads) {
    const verdict = judge(payload, target);
    sent.push(frame(payload));
    if ('protocolError' in verdict) {
      const all = Buffer.concat(sent);
      // Answers to the frames before it may or may not be written before the close: only the error is certain.
      return { label, chunks: split ? split(all) : [all], expect: { kind: 'protocol-error' } };
    }
    ids.push(verdict.id);
    codes.push(verdict.code);
  }
  const all = Buffer.concat(sent);
  return { label, chunks: split ? split(all) : [all], expect: { kind: 'answers', ids, codes } };
}

let counter = 0;
const newId = (rng: Rng) => (rng.bool(0.9) ? `fz_${++counter}` : rng.string(30));

function request(rng: Rng, target: Target): Record<string, unknown> {
  const actions = Object.keys(target.actions);
  for (;;) {
    const action = rng.bool(0.8) ? rng.pick(actions) : rng.string(20);
    const keys = Object.hasOwn(target.actions, action) ? target.actions[action]! : [];
    const params: Record<string, unknown> = {};
    for (const key of keys) if (rng.bool(0.7)) params[key] = rng.bool(0.3) ? rng.string() : rng.json(2);
    if (rng.bool(0.3)) params[rng.string(10)] = rng.json(2);
    if (keys.includes('app_id') && rng.bool(0.6)) params.app_id = 'prokov';
    if (target.forbidden?.(action, params)) continue;
    return { id: newId(rng), action, params };
  }
}

function mutate(rng: Rng, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return rng.bytes(3);
  const at = rng.int(0, bytes.length - 1);
  switch (rng.int(0, 4)) {
    case 0:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]); // drop a byte
    case 1:
      return Buffer.concat([bytes.subarray(0, at), rng.bytes(rng.int(1, 4)), bytes.subarray(at)]); // garbage
    case 2:
      return bytes.subarray(0, at); // cut
    case 3:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]); // BOM
    default:
      return Buffer.from(text.replace(/"/, "'"));
  }
}

const nest = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

/** One random case among the families below. */
export function makeCase(rng: Rng, target: Target): FrameCase {
  const valid = () => Buffer.from(JSON.stringify(request(rng, target)), 'utf8');
  const family = rng.int(0, 11);
  switch (family) {
    case 0: {
      // Random bytes: whatever they declare, the service must survive.
      const bytes = rng.bytes(rng.int(0, 300));
      const declared = bytes.length >= HEADER ? bytes.readUInt32BE(0) : -1;
      if (declared > DEFAULT_MAX_FRAME_BYTES)
        return { label: 'random bytes, huge length', chunks: [bytes], expect: { kind: 'protocol-error' } };
      if (declared >= 0 && declared <= bytes.length - HEADER) {
        return framesCase('random bytes as a frame', [bytes.subarray(HEADER, HEADER + declared)], target);
      }
      return { label: 'random bytes', chunks: [bytes], expect: { kind: 'nothing' } };
    }
    case 1: {
      // A declared length over the maximum, with or without some body: refused before anything is buffered.
      const length = rng.pick([
        DEFAULT_MAX_FRAME_BYTES + 1,
        0xffffffff,
        0x80000000,
        rng.int(DEFAULT_MAX_FRAME_BYTES + 1, 0xfffffffe),
      ]);
      return {
        label: `declared length ${length}`,
        chunks: [Buffer.concat([header(length), rng.bytes(rng.int(0, 64))])],
        expect: { kind: 'protocol-error' },
      };
    }
    case 2: {
      // A valid frame cut short, then the connection closes.
      const full = frame(valid());
      return {
        label: 'truncated frame',
        chunks: [full.subarray(0, rng.int(1, full.length - 1))],
        expect: { kind: 'nothing' },
      };
    }
    case 3:
      return framesCase('malformed JSON', [mutate(rng, JSON.stringify(request(rng, target)))], target);
    case 4: {
      // Valid JSON that is not a request: scalars, arrays, objects with wrong field types.
      const value = rng.pick([
        () => rng.json(3),
        () => ({ id: rng.json(1), action: rng.json(1), params: rng.json(1) }),
        () => ({
          id: newId(rng),
          action: rng.pick(Object.keys(target.actions)),
          params: rng.pick([[], 'x', 1, true]),
        }),
        () => ({ id: newId(rng) }),
        () => ({ action: 'health' }),
        () => ({ id: 'x'.repeat(rng.int(199, 300)), action: 'health' }),
      ])();
      return framesCase('valid JSON, wrong shape', [Buffer.from(JSON.stringify(value) ?? 'null')], target);
    }
    case 5:
      return framesCase('unknown or real action, fuzzed params', [valid()], target);
    case 6: {
      // Deep nesting inside params and as the whole payload.
      const depth = rng.pick([1_000, 10_000, 100_000]);
      const inner = rng.bool() ? nest(depth, '[', ']') : nest(depth, '{"a":', '}');
      const action = rng.pick(Object.keys(target.actions));
      const text = rng.bool(0.7)
        ? `{"id":"fz_deep_${++counter}","action":${JSON.stringify(action)},"params":{"app_id":"prokov","data":${inner},"args":${inner}}}`
        : inner;
      return framesCase(`nesting depth ${depth}`, [Buffer.from(text)], target);
    }
    case 7: {
      // Strings full of unicode, lone surrogates (escaped by JSON.stringify) and raw invalid UTF-8 in a string.
      const req = request(rng, target);
      const text = JSON.stringify(req);
      const raw = rng.bool(0.4)
        ? Buffer.from(text.replace(/"action"/, `"x":"\uFFFD","action"`), 'utf8').map((b) =>
            b === 0xbd ? 0xff : b,
          )
        : Buffer.from(text, 'utf8');
      return framesCase('unicode', [Buffer.from(raw)], target);
    }
    case 8: {
      // Several frames in one write, and a real health among them.
      const payloads = Array.from({ length: rng.int(2, 8) }, () =>
        rng.bool(0.3) ? Buffer.from(JSON.stringify({ id: newId(rng), action: 'health' })) : valid(),
      );
      return framesCase('several frames in one chunk', payloads, target);
    }
    case 9: {
      // One frame delivered in pieces, down to single bytes.
      const pieces = (all: Buffer) => {
        const out: Buffer[] = [];
        for (let i = 0; i < all.length; ) {
          const n = rng.bool() ? 1 : rng.int(1, 16);
          out.push(all.subarray(i, i + n));
          i += n;
        }
        return out;
      };
      return framesCase('split into small chunks', [valid()], target, pieces);
    }
    case 10:
      // The message was an internal TypeError's ("Cannot read properties of undefined"): now a clean one.
      return {
        label: 'zero-length frame',
        chunks: [header(0)],
        expect: { kind: 'protocol-error', message: 'empty frame' },
      };
    default: {
      // A big but allowed string value (up to 256 KiB): answered like any other request.
      const req = request(rng, target);
      (req.params as Record<string, unknown>)[rng.pick(['query', 'message', 'body', 'name', 'data'])] =
        'z'.repeat(rng.int(1, 1 << 18));
      return framesCase('large string param', [Buffer.from(JSON.stringify(req))], target);
    }
  }
}
