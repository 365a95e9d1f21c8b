// A steady mixed HTTP load for the fault suite: a fixed number of workers loop over list / show / create /
// login against the gateway, each request with a timeout, and every answer — or failure — is recorded with
// when it started and ended and when the TCP connection it used was opened (to tell "open at the kill" apart).
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';

export type Op = 'list' | 'show' | 'create' | 'login';

export interface LoadUser {
  token: string;
  email: string;
  password: string;
  taskIds: number[];
}

export interface Answer {
  op: Op;
  start: number;
  end: number;
  /** HTTP status, when an answer came. */
  status?: number;
  /** Network failure instead of an answer: an errno code (ECONNRESET, ECONNREFUSED…) or TIMEOUT. */
  error?: string;
  /** When the connection carrying the request was opened (undefined if none was). */
  socketOpenedAt?: number;
  /** The body was the JSON envelope ({success: boolean, …, error: {code, message} on failure}). */
  envelope: boolean;
  code?: string;
  insertId?: number;
}

export interface MixedLoadOptions {
  port: number;
  host: string;
  users: LoadUser[];
  workers?: number;
  /** Per-request timeout; a request that takes longer is recorded as error TIMEOUT. */
  timeoutMs: number;
  /** Pause between two requests of one worker, so the load stays steady rather than saturating. */
  pauseMs?: number;
  ops?: Op[];
}

export interface MixedLoad {
  readonly answers: Answer[];
  /** Stops the workers and resolves once every request in flight has ended. */
  stop(): Promise<Answer[]>;
}

const MIX: Op[] = ['list', 'list', 'list', 'show', 'show', 'create', 'create', 'login'];

function isEnvelope(body: unknown, status: number): { ok: boolean; code?: string; insertId?: number } {
  if (body === null || typeof body !== 'object') return { ok: false };
  const b = body as { success?: unknown; error?: { code?: unknown; message?: unknown }; data?: unknown };
  if (status < 400) {
    const insertId = (b.data as { insert_id?: unknown } | undefined)?.insert_id;
    return { ok: b.success === true, ...(typeof insertId === 'number' ? { insertId } : {}) };
  }
  const ok = b.success === false && typeof b.error?.code === 'string' && typeof b.error?.message === 'string';
  return ok ? { ok, code: b.error!.code as string } : { ok: false };
}

/** Starts the workers at once; call stop() to end the load. */
export function startMixedLoad(options: MixedLoadOptions): MixedLoad {
  const answers: Answer[] = [];
  const opened = new WeakMap<Socket, number>();
  // Every connection is stamped when the agent creates it, before it even connects, so that a request failing
  // before its 'socket' event still knows which connection it rode.
  const agent = new (class extends Agent {
    override createConnection(...args: Parameters<Agent['createConnection']>) {
      const socket = super.createConnection(...args) as Socket;
      opened.set(socket, Date.now());
      return socket;
    }
  })({ keepAlive: true, maxSockets: options.workers ?? 8 });
  const ops = options.ops ?? MIX;
  let running = true;
  let counter = 0;

  const once = (op: Op, user: LoadUser): Promise<Answer> => {
    const headers: Record<string, string> = { host: options.host };
    let method = 'GET';
    let path = '/api/tasks?limit=20';
    let body: string | undefined;
    if (op === 'show') path = `/api/tasks/${user.taskIds[counter % user.taskIds.length]}`;
    if (op === 'create') {
      method = 'POST';
      path = '/api/tasks';
      body = JSON.stringify({ title: `fault load ${++counter}`, priority: counter % 4 });
    }
    if (op === 'login') {
      method = 'POST';
      path = '/api/auth/login';
      body = JSON.stringify({ email: user.email, password: user.password });
    } else headers.authorization = `Bearer ${user.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    counter++;
    const start = Date.now();
    return new Promise<Answer>((resolve) => {
      let done = false;
      let socketOpenedAt: number | undefined;
      const finish = (
        a: Omit<Answer, 'op' | 'start' | 'end' | 'socketOpenedAt' | 'envelope'> & { envelope?: boolean },
      ) => {
        if (done) return;
        done = true;
        if (req.socket && opened.has(req.socket)) socketOpenedAt = opened.get(req.socket);
        clearTimeout(hard);
        resolve({
          op,
          start,
          end: Date.now(),
          envelope: false,
          ...a,
          ...(socketOpenedAt ? { socketOpenedAt } : {}),
        });
      };
      const req = request({ port: options.port, host: '127.0.0.1', method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = undefined;
          }
          const env = isEnvelope(parsed, status);
          finish({
            status,
            envelope: env.ok,
            ...(env.code ? { code: env.code } : {}),
            ...(env.insertId !== undefined ? { insertId: env.insertId } : {}),
          });
        });
        res.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
      });
      req.on('socket', (socket: Socket) => {
        if (!opened.has(socket)) opened.set(socket, Date.now());
        socketOpenedAt = opened.get(socket);
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
      // The hard timer also covers a socket that never connects.
      const hard = setTimeout(() => {
        req.destroy();
        finish({ error: 'TIMEOUT' });
      }, options.timeoutMs);
      req.end(body);
    });
  };

  const worker = async (w: number) => {
    let i = w;
    while (running) {
      const user = options.users[i % options.users.length]!;
      const op = ops[(i * 7 + w) % ops.length]!;
      i++;
      answers.push(await once(op, user));
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const all = Promise.all(Array.from({ length: options.workers ?? 8 }, (_, w) => worker(w)));
  return {
    answers,
    async stop() {
      running = false;
      await all;
      agent.destroy();
      return answers;
    },
  };
}

/** A one-line description of an answer, for failure messages. */
export function describeAnswer(a: Answer, t0: number): string {
  const what =
    a.error ?? `${a.status}${a.code ? ` ${a.code}` : ''}${a.envelope ? '' : ' (not the envelope)'}`;
  const socket = a.socketOpenedAt === undefined ? 'no socket' : `socket opened +${a.socketOpenedAt - t0}ms`;
  return `${a.op} +${a.start - t0}ms..+${a.end - t0}ms (${socket}): ${what}`;
}
