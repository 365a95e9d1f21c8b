// The client every process uses to reach a service: a small pool of connections per instance socket,
// requests spread over every live instance, reconnection after failures, a timeout on every request.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES } from './codec.js';
import { ClientConnection, unavailable } from './connection.js';
import { ErrorCode, SogomsError } from './errors.js';
import { newRequestId } from './messages.js';

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECTIONS_PER_SOCKET = 2;
const DISCOVERY_INTERVAL_MS = 1_000;
const DOWN_BACKOFF_MS = 250;

export interface ServiceClientOptions {
  /** Fixed socket paths. */
  sockets?: string[];
  /** Finds every `${dir}/sogoms-${service}.<n>.sock`, again each second and whenever none answers. */
  discover?: { dir: string; service: string };
  connectionsPerSocket?: number;
  timeoutMs?: number;
  maxFrameBytes?: number;
}

export interface CallOptions {
  id?: string;
  timeoutMs?: number;
  /** Resolve with the result's JSON text as a RawJson, unparsed (for forwarding it as it is). */
  raw?: boolean;
}

export interface ServiceClient {
  call<T = unknown>(action: string, params?: object, options?: CallOptions): Promise<T>;
  /** Socket paths currently known (discovered or fixed). */
  sockets(): string[];
  close(): void;
}

interface Endpoint {
  path: string;
  conns: ClientConnection[];
  next: number;
  downUntil: number;
}

/** Lists the instance sockets of a service in a run directory, ordered by instance number. */
export function discoverSockets(dir: string, service: string): string[] {
  const pattern = new RegExp(`^sogoms-${service.replace(/[^A-Za-z0-9_-]/g, '')}\\.(\\d+)\\.sock$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, n: Number(pattern.exec(name)?.[1] ?? Number.NaN) }))
    .filter((entry) => Number.isFinite(entry.n))
    .sort((a, b) => a.n - b.n)
    .map((entry) => join(dir, entry.name));
}

export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const perSocket = Math.max(1, options.connectionsPerSocket ?? DEFAULT_CONNECTIONS_PER_SOCKET);
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const endpoints = new Map<string, Endpoint>();
  let list: Endpoint[] = []; // endpoints as an array, rebuilt when the set changes (no per-call copies)
  let lastDiscovery = 0;
  let rr = 0;
  let closed = false;

  const add = (path: string) => endpoints.set(path, { path, conns: [], next: 0, downUntil: 0 });
  const refresh = () => {
    if (!options.discover) return;
    lastDiscovery = Date.now();
    const found = new Set(discoverSockets(options.discover.dir, options.discover.service));
    for (const path of found) if (!endpoints.has(path)) add(path);
    for (const [path, endpoint] of endpoints) {
      if (found.has(path)) continue;
      for (const conn of endpoint.conns) conn.close();
      endpoints.delete(path);
    }
    list = [...endpoints.values()];
  };
  for (const path of options.sockets ?? []) add(path);
  list = [...endpoints.values()];
  refresh();

  const openConnection = (endpoint: Endpoint): ClientConnection => {
    const conn = new ClientConnection(endpoint.path, maxFrameBytes, (dead) => {
      const at = endpoint.conns.indexOf(dead);
      if (at >= 0) endpoint.conns.splice(at, 1);
    });
    endpoint.conns.push(conn);
    return conn;
  };

  /** The hot path: an established connection of the next live endpoint, or undefined to take the slow path. */
  const pickConnected = (now: number): ClientConnection | undefined => {
    const n = list.length;
    for (let i = 0; i < n; i++) {
      rr = rr + 1 >= n ? 0 : rr + 1;
      const endpoint = list[rr]!;
      if (endpoint.downUntil > now) continue;
      const conns = endpoint.conns;
      if (conns.length < perSocket) return undefined;
      endpoint.next = endpoint.next + 1 >= conns.length ? 0 : endpoint.next + 1;
      const conn = conns[endpoint.next]!;
      return conn.alive && conn.connected ? conn : undefined;
    }
    return undefined;
  };

  /**
   * Endpoints to try when connecting, starting where pickConnected stopped (it already advanced the
   * round-robin): live ones first, then those in backoff as a last resort.
   */
  const candidates = (now: number): Endpoint[] => {
    if (list.length <= 1) return list;
    rr %= list.length;
    const rotated = [...list.slice(rr), ...list.slice(0, rr)];
    return [...rotated.filter((e) => e.downUntil <= now), ...rotated.filter((e) => e.downUntil > now)];
  };

  /** Opens connections as needed, skipping instances that refuse them. */
  const slowCall = async (
    action: string,
    params: object,
    id: string,
    timeoutMs: number,
    raw: boolean,
  ): Promise<unknown> => {
    const deadline = Date.now() + timeoutMs;
    let tried = candidates(Date.now());
    if (tried.length === 0) {
      refresh();
      tried = candidates(Date.now());
    }
    // Built only on failure: an Error's stack capture costs more than a whole round trip.
    let lastError: SogomsError | undefined;
    for (const endpoint of tried) {
      let conn: ClientConnection;
      if (endpoint.conns.length < perSocket) conn = openConnection(endpoint);
      else {
        endpoint.next = (endpoint.next + 1) % endpoint.conns.length;
        conn = endpoint.conns[endpoint.next]!;
      }
      if (!conn.connected) {
        try {
          await withDeadline(conn.ready, deadline - Date.now());
        } catch {
          endpoint.downUntil = Date.now() + DOWN_BACKOFF_MS;
          lastError = unavailable(`cannot connect to ${endpoint.path}`);
          continue;
        }
      }
      endpoint.downUntil = 0;
      const left = deadline - Date.now();
      if (left <= 0) throw new SogomsError(ErrorCode.TIMEOUT, `${action} timed out after ${timeoutMs} ms`);
      return conn.request(action, params, id, left, raw);
    }
    if (options.discover) refresh();
    throw (
      lastError ??
      unavailable(options.discover ? `no ${options.discover.service} service socket` : 'no service socket')
    );
  };

  return {
    sockets: () => list.map((e) => e.path),
    call<T>(action: string, params: object = {}, callOptions: CallOptions = {}): Promise<T> {
      if (closed) return Promise.reject(unavailable('client closed'));
      const timeoutMs = callOptions.timeoutMs ?? defaultTimeout;
      const id = callOptions.id ?? newRequestId();
      const now = Date.now();
      if (options.discover && now - lastDiscovery >= DISCOVERY_INTERVAL_MS) refresh();
      const raw = callOptions.raw === true;
      const conn = pickConnected(now);
      if (conn) return conn.request(action, params, id, timeoutMs, raw) as Promise<T>;
      return slowCall(action, params, id, timeoutMs, raw) as Promise<T>;
    },
    close() {
      closed = true;
      for (const endpoint of endpoints.values()) for (const conn of endpoint.conns) conn.close();
      endpoints.clear();
      list = [];
    },
  };
}

/** Settles like the promise, or rejects once `ms` have passed (a connect must not outlive its request). */
function withDeadline(promise: Promise<void>, ms: number): Promise<void> {
  if (ms <= 0) return Promise.reject(new Error('deadline passed'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('deadline passed')), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** Opens a connection, sends one request, and closes it: for health checks and CLIs. */
export async function callOnce(
  socketPath: string,
  action: string,
  params: object = {},
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): Promise<unknown> {
  const conn = new ClientConnection(socketPath);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await withDeadline(conn.ready, timeoutMs);
  } catch {
    clearTimeout(timer);
    conn.close();
    throw unavailable(`cannot connect to ${socketPath}`);
  }
  try {
    return await conn.request(action, params, newRequestId(), timeoutMs);
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}
