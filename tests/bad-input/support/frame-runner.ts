// Plays a FrameCase against a service socket on a fresh connection and judges what came back.
import { createConnection } from 'node:net';
import { ErrorCode, FrameDecoder } from '@sogoms/protocol';
import type { FrameCase } from './frame-cases.js';

const ANSWER_TIMEOUT_MS = 10_000;
/** How long a case with no definite answer is given before the client hangs up. */
const LINGER_MS = 30;
const CODES = new Set<string>(Object.values(ErrorCode));

interface Response {
  id: string | null;
  status: 'success' | 'error';
  error?: { code: string; message: string };
}

/** Runs the case; resolves with a problem description, or undefined when the service behaved. Every answer's
 * code ('success' for a success) is counted into `codes`. */
export function runFrameCase(
  socketPath: string,
  c: FrameCase,
  codes?: Map<string, number>,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    const decoder = new FrameDecoder();
    const responses: Response[] = [];
    let closed = false;
    let settled = false;
    const finish = (problem?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const r of responses) {
        const code = r.status === 'success' ? 'success' : (r.error?.code ?? '?');
        codes?.set(code, (codes.get(code) ?? 0) + 1);
      }
      socket.destroy();
      resolve(problem === undefined ? undefined : `${c.label}: ${problem}`);
    };
    const timer = setTimeout(
      () => {
        if (c.expect.kind === 'nothing') finish();
        else
          finish(
            `no complete answer within ${ANSWER_TIMEOUT_MS} ms (got ${JSON.stringify(responses).slice(0, 300)})`,
          );
      },
      c.expect.kind === 'nothing' ? LINGER_MS : ANSWER_TIMEOUT_MS,
    );

    const judge = () => {
      const e = c.expect;
      if (e.kind === 'protocol-error') {
        const err = responses.find((r) => r.error?.code === ErrorCode.PROTOCOL_ERROR);
        if (err && err.id !== null) return finish('PROTOCOL_ERROR answer without id null');
        if (err && e.message !== undefined && err.error?.message !== e.message)
          return finish(
            `PROTOCOL_ERROR message ${JSON.stringify(err.error?.message)}, not ${JSON.stringify(e.message)}`,
          );
        if (err && closed) finish();
        else if (closed)
          finish(`closed without a PROTOCOL_ERROR (got ${JSON.stringify(responses).slice(0, 300)})`);
        return;
      }
      if (e.kind === 'nothing') {
        for (const r of responses)
          if (r.status === 'error' && !CODES.has(r.error?.code ?? ''))
            return finish(`unregistered code ${r.error?.code}`);
        if (closed) finish();
        return;
      }
      if (closed && responses.length < e.ids.length)
        return finish(`connection closed after ${responses.length}/${e.ids.length} answers`);
      if (responses.length < e.ids.length) return;
      const left = responses.slice();
      for (let i = 0; i < e.ids.length; i++) {
        const at = left.findIndex(
          (r) => r.id === e.ids[i] && (e.codes[i] === undefined || r.error?.code === e.codes[i]),
        );
        if (at === -1) {
          return finish(
            `no answer with id ${JSON.stringify(e.ids[i])?.slice(0, 60)} and code ${e.codes[i] ?? '(any)'}; got ${JSON.stringify(responses).slice(0, 300)}`,
          );
        }
        const [r] = left.splice(at, 1);
        if (r!.status === 'error' && !CODES.has(r!.error?.code ?? ''))
          return finish(`unregistered error code ${r!.error?.code}`);
        if (r!.status !== 'success' && r!.status !== 'error')
          return finish(`bad status ${String(r!.status)}`);
      }
      finish();
    };

    socket.on('data', (chunk: Buffer) => {
      try {
        for (const payload of decoder.push(chunk))
          responses.push(JSON.parse(payload.toString('utf8')) as Response);
      } catch (err) {
        return finish(`unreadable answer: ${String(err)}`);
      }
      judge();
    });
    socket.on('close', () => {
      closed = true;
      judge();
      if (!settled && c.expect.kind !== 'answers') finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The service may close first (protocol error) while we still write: EPIPE/ECONNRESET are expected then.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') finish(`socket error ${err.code}`);
    });
    socket.on('connect', () => {
      for (const chunk of c.chunks) socket.write(chunk);
    });
  });
}
