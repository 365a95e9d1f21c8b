// The Unix-socket server every service runs: decodes frames, dispatches actions, answers in the envelope,
// and survives any bad input (SPEC §2).
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder } from './codec.js';
import { ErrorCode, SogomsError, toWireError, type WireError } from './errors.js';
import { FrameWriter } from './frame-writer.js';
import { asRequest } from './messages.js';
import { probeSocket } from './probe.js';

export type ActionHandler = (
  params: Record<string, unknown>,
  ctx: { id: string; action: string },
) => unknown | Promise<unknown>;

export interface MinimalLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface ProtocolServerOptions {
  socketPath: string;
  handlers: Record<string, ActionHandler>;
  maxFrameBytes?: number;
  logger?: MinimalLogger;
}

export interface ProtocolServer {
  listen(): Promise<void>;
  /** Stops accepting, unlinks the socket, waits up to drainMs for in-flight requests, then closes connections. */
  close(drainMs?: number): Promise<void>;
  setHandlers(handlers: Record<string, ActionHandler>): void;
  readonly inFlight: number;
  readonly connections: number;
}

export const DEFAULT_DRAIN_MS = 5_000;
const SOCKET_MODE = 0o660;
/** How long a connection that broke the framing is drained before it is destroyed. */
const REFUSED_LINGER_MS = 1_000;

/** Creates a protocol server; handlers throw SogomsError for error answers. */
export function createProtocolServer(options: ProtocolServerOptions): ProtocolServer {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const log = options.logger;
  let handlers = options.handlers;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const finish = () => {
    inFlight--;
    if (inFlight === 0 && drained) drained();
  };

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    const decoder = new FrameDecoder(maxFrameBytes);
    const writer = new FrameWriter(socket, maxFrameBytes);
    let broken = false;
    const refuse = (message: string) => {
      // Answer once, then close: nothing more is read from a connection that broke the framing.
      broken = true;
      writer.writeJson(
        JSON.stringify({ id: null, status: 'error', error: { code: ErrorCode.PROTOCOL_ERROR, message } }),
      );
      writer.flush();
      // Half-close after the answer and keep reading (and discarding) for a while: destroying at once could
      // reset the connection while the client still sends, and the reset would drop the answer on its side.
      socket.end();
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
    };
    /** Writes an error answer; one that cannot be written (over the frame limit) becomes RESULT_TOO_LARGE. */
    const sendError = (id: string | null, action: string, error: WireError) => {
      let json: string | undefined;
      try {
        json = JSON.stringify({ id, status: 'error', error });
      } catch (err) {
        // Data no JSON can carry (a BigInt, a cycle): the message alone.
        log?.error({ err, action, id }, 'error answer not serializable');
        json = JSON.stringify({ id, status: 'error', error: { code: error.code, message: error.message } });
      }
      if (!writer.writeJson(json)) tooLarge(id, action, json.length);
    };
    /** Answers RESULT_TOO_LARGE in place of an answer over the frame limit: this request fails, no other. */
    const tooLarge = (id: string | null, action: string, chars: number | undefined) => {
      // Its length in characters, a lower bound of its bytes: counting the bytes would walk it all again.
      log?.warn(
        { action, id, chars, max: maxFrameBytes },
        'answer over the frame limit, sent RESULT_TOO_LARGE',
      );
      const error = {
        code: ErrorCode.RESULT_TOO_LARGE,
        message: `answer exceeds the frame limit of ${maxFrameBytes} bytes: request less`,
        data: { max: maxFrameBytes },
      };
      writer.writeJson(JSON.stringify({ id, status: 'error', error }));
    };
    const dispatch = (payload: Buffer) => {
      if (payload.length === 0) {
        refuse('empty frame');
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(payload.toString('utf8'));
      } catch {
        refuse('malformed JSON frame');
        return;
      }
      const req = asRequest(value);
      if ('invalid' in req) {
        sendError(req.id, '', { code: ErrorCode.BAD_REQUEST, message: req.invalid });
        return;
      }
      const handler = Object.hasOwn(handlers, req.action) ? handlers[req.action] : undefined;
      if (!handler) {
        const error = {
          code: ErrorCode.UNKNOWN_ACTION,
          message: `unknown action: ${req.action.slice(0, 64)}`,
        };
        sendError(req.id, req.action.slice(0, 64), error);
        return;
      }
      inFlight++;
      const reply = (result: unknown) => {
        finish();
        if (socket.destroyed) return;
        let json: string;
        try {
          // Built as text: no envelope object to allocate and walk for every answer.
          json = `{"id":${JSON.stringify(req.id)},"status":"success","result":${JSON.stringify(result ?? null) ?? 'null'}}`;
        } catch (err) {
          // Longer than a string may be (far over any frame limit), or not serializable (a BigInt, a cycle).
          if (err instanceof RangeError && /string length/i.test(err.message))
            tooLarge(req.id, req.action, undefined);
          else {
            log?.error({ err, action: req.action, id: req.id }, 'result not serializable');
            sendError(req.id, req.action, toWireError(err));
          }
          return;
        }
        if (!writer.writeJson(json)) tooLarge(req.id, req.action, json.length);
      };
      const fail = (err: unknown) => {
        finish();
        if (!(err instanceof SogomsError))
          log?.error({ err, action: req.action, id: req.id }, 'handler failed');
        if (!socket.destroyed) sendError(req.id, req.action, toWireError(err));
      };
      try {
        const out = handler(req.params, { id: req.id, action: req.action });
        if (out instanceof Promise) out.then(reply, fail);
        else reply(out);
      } catch (err) {
        fail(err);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (broken) return;
      let payloads: Buffer[];
      try {
        payloads = decoder.push(chunk);
      } catch (err) {
        // Only the decoder's own errors have a message meant for the wire; anything else is a bug, logged here.
        if (!(err instanceof SogomsError)) log?.error({ err }, 'frame decoder failed');
        refuse(err instanceof SogomsError ? err.message : 'bad frame');
        return;
      }
      for (const payload of payloads) {
        if (broken) return;
        dispatch(payload);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };

  return {
    get inFlight() {
      return inFlight;
    },
    get connections() {
      return sockets.size;
    },
    setHandlers(next) {
      handlers = next;
    },
    async listen() {
      const path = options.socketPath;
      mkdirSync(dirname(path), { recursive: true });
      const state = await probeSocket(path);
      if (state === 'live') throw new Error(`socket ${path} is in use by a live server`);
      if (state === 'stale') unlinkSync(path);
      server = createServer({ allowHalfOpen: false }, onConnection);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(path, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      chmodSync(path, SOCKET_MODE);
    },
    async close(drainMs = DEFAULT_DRAIN_MS) {
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
      try {
        unlinkSync(options.socketPath);
      } catch {
        // already gone
      }
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drainMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      await new Promise((resolve) => setImmediate(resolve)); // let the last answers flush
      for (const socket of sockets) socket.end();
      setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 200).unref();
      await closing;
    },
  };
}
