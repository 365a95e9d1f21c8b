// One client connection to a service socket: many requests in flight, answers matched by id in any order.
// Neither direction lets one request's size break the connection for the others: a request over the frame
// limit is refused here with PAYLOAD_TOO_LARGE before anything is sent, and an answer over it (from a server
// with a larger limit, or an older one that did not check) is read and dropped without buffering, failing only
// its own request with RESULT_TOO_LARGE.
import { connect, type Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from './codec.js';
import { ErrorCode, fromWireError, SogomsError, type WireError } from './errors.js';
import { FrameWriter } from './frame-writer.js';
import { RawJson } from './raw-json.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: SogomsError) => void;
  deadline: number;
  action: string;
  timeoutMs: number;
  /** Resolve with the result's JSON text (RawJson) instead of the parsed value. */
  raw: boolean;
}

// A success answer as the server writes it: the id first, the result last (server.ts builds it as text).
const ANSWER_HEAD = '{"id":"';
const SUCCESS_AFTER_ID = '","status":"success","result":';
/** The id at the start of an answer's text, as a JSON string literal. */
const ANSWER_ID = /^\{"id":("(?:[^"\\]|\\.)*")/;

// One sweep timer per connection instead of a timer per request: timeouts fire within SWEEP_MS of their
// deadline, and a round trip no longer pays for arming and clearing a timer.
const SWEEP_MS = 20;

export class ClientConnection {
  readonly socketPath: string;
  private readonly socket: Socket;
  private readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  private readonly maxFrameBytes: number;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private sweeper: NodeJS.Timeout | undefined;
  /** Settles when the connection is established or has failed. */
  readonly ready: Promise<void>;
  alive = true;
  connected = false;

  constructor(
    socketPath: string,
    maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
    onClose?: (conn: ClientConnection) => void,
  ) {
    this.socketPath = socketPath;
    this.maxFrameBytes = maxFrameBytes;
    this.decoder = new FrameDecoder(maxFrameBytes, { onOversized: this.onOversized });
    this.socket = connect(socketPath);
    this.socket.setNoDelay?.(true);
    this.writer = new FrameWriter(this.socket, maxFrameBytes);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => {
        this.connected = true;
        resolve();
      });
      this.socket.once('error', reject);
      // Closed before it ever connected (close() during the connect, a refused socket): never leave it pending.
      this.socket.once('close', () =>
        reject(new Error(`connection to ${socketPath} closed before connecting`)),
      );
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', () => this.socket.destroy());
    this.socket.on('close', () => {
      this.alive = false;
      this.failAll(`connection to ${socketPath} closed`);
      onClose?.(this);
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request; the wire id is the given id, made unique on this connection if it is already in use. */
  request(action: string, params: object, id: string, timeoutMs: number, raw = false): Promise<unknown> {
    if (!this.alive) return Promise.reject(unavailable(`connection to ${this.socketPath} closed`));
    let wireId = id;
    while (this.pending.has(wireId)) wireId = `${id}.${++this.seq}`;
    return new Promise((resolve, reject) => {
      const json = `{"id":${JSON.stringify(wireId)},"action":${JSON.stringify(action)},"params":${JSON.stringify(params)}}`;
      // Queued, not sent yet: the answer cannot arrive before the entry below exists.
      if (!this.writer.writeJson(json)) {
        reject(
          new SogomsError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            `request exceeds the frame limit of ${this.maxFrameBytes} bytes`,
          ),
        );
        return;
      }
      this.pending.set(wireId, { resolve, reject, deadline: Date.now() + timeoutMs, action, timeoutMs, raw });
      this.sweeper ??= setInterval(this.sweep, Math.min(SWEEP_MS, timeoutMs));
    });
  }

  /**
   * An answer over the frame limit: fails its own request (found by the id the answer starts with) and has the
   * decoder drop the rest of it; the other requests on this connection go on. A frame that does not start like
   * an answer means the stream lost its framing: refused, and the connection closes.
   */
  private readonly onOversized = (declared: number, head: Buffer): boolean | undefined => {
    const text = head.toString('utf8');
    const match = ANSWER_ID.exec(text);
    if (!match) {
      // Wait for more only while the bytes so far could still begin `{"id":"…"`.
      const partial =
        text.length < ANSWER_HEAD.length ? ANSWER_HEAD.startsWith(text) : text.startsWith(ANSWER_HEAD);
      return partial ? undefined : false;
    }
    let id: unknown;
    try {
      id = JSON.parse(match[1]!);
    } catch {
      return false;
    }
    const entry = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (entry) {
      this.pending.delete(id as string);
      entry.reject(
        new SogomsError(
          ErrorCode.RESULT_TOO_LARGE,
          `${entry.action} answer of ${declared} bytes exceeds the frame limit of ${this.maxFrameBytes}`,
          { bytes: declared, max: this.maxFrameBytes },
        ),
      );
    }
    return true;
  };

  private readonly sweep = (): void => {
    const now = Date.now();
    for (const [id, entry] of this.pending) {
      if (entry.deadline > now) continue;
      this.pending.delete(id);
      entry.reject(
        new SogomsError(ErrorCode.TIMEOUT, `${entry.action} timed out after ${entry.timeoutMs} ms`),
      );
    }
    if (this.pending.size === 0) this.stopSweeper();
  };

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  close(): void {
    this.alive = false;
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let payloads: Buffer[];
    try {
      payloads = this.decoder.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const payload of payloads) {
      // Decoded once: the raw fast path and the parse below share the text.
      const text = payload.toString('utf8');
      if (this.rawAnswer(text)) continue;
      let msg: { id?: unknown; status?: unknown; result?: unknown; error?: WireError };
      try {
        msg = JSON.parse(text);
      } catch {
        this.socket.destroy();
        return;
      }
      if (typeof msg.id !== 'string') {
        // An answer with id null (PROTOCOL_ERROR) means the server will close this connection.
        continue;
      }
      const entry = this.pending.get(msg.id);
      if (!entry) continue; // timed out already
      this.pending.delete(msg.id);
      if (msg.status === 'success')
        entry.resolve(entry.raw ? new RawJson(JSON.stringify(msg.result)) : msg.result);
      else
        entry.reject(
          fromWireError(msg.error ?? { code: ErrorCode.INTERNAL_ERROR, message: 'malformed answer' }),
        );
    }
  }

  /** Resolves a raw request's success answer from its text alone, without parsing the result. */
  private rawAnswer(text: string): boolean {
    if (!text.startsWith(ANSWER_HEAD)) return false;
    const idEnd = text.indexOf('"', ANSWER_HEAD.length);
    if (idEnd < 0) return false;
    const id = text.slice(ANSWER_HEAD.length, idEnd);
    // An id with an escape in its JSON form cannot be matched as text: the normal path handles it.
    if (id.includes('\\')) return false;
    const entry = this.pending.get(id);
    if (!entry?.raw || !text.startsWith(SUCCESS_AFTER_ID, idEnd)) return false;
    this.pending.delete(id);
    entry.resolve(new RawJson(text.slice(idEnd + SUCCESS_AFTER_ID.length, -1)));
    return true;
  }

  private failAll(message: string): void {
    this.stopSweeper();
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.reject(unavailable(message));
    }
  }
}

export function unavailable(message: string): SogomsError {
  return new SogomsError(ErrorCode.SERVICE_UNAVAILABLE, message);
}
