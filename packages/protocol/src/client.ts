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
  let lastDiscovery = 0;
  let rr = 0;
  let closed = false;

  const refresh = (force: boolean) => {
    if (!options.discover) return;
    const now = Date.now();
    if (!force && now - lastDiscovery < DISCOVERY_INTERVAL_MS) return;
    lastDiscovery = now;
    const found = new Set(discoverSockets(options.discover.dir, options.discover.service));
    for (const path of found)
      if (!endpoints.has(path)) endpoints.set(path, { path, conns: [], next: 0, downUntil: 0 });
    for (const [path, endpoint] of endpoints) {
      if (found.has(path)) continue;
      for (const conn of endpoint.conns) conn.close();
      endpoints.delete(path);
    }
  };
  for (const path of options.sockets ?? []) endpoints.set(path, { path, conns: [], next: 0, downUntil: 0 });
  refresh(true);

  const connectionFor = (endpoint: Endpoint): ClientConnection => {
    endpoint.conns = endpoint.conns.filter((c) => c.alive);
    if (endpoint.conns.length < perSocket) {
      const conn = new ClientConnection(endpoint.path, maxFrameBytes);
      endpoint.conns.push(conn);
      return conn;
    }
    endpoint.next = (endpoint.next + 1) % endpoint.conns.length;
    return endpoint.conns[endpoint.next]!;
  };

  /** Endpoints to try, in order: live ones round-robin first, then those in backoff as a last resort. */
  const candidates = (): Endpoint[] => {
    if (endpoints.size === 1) return [...endpoints.values()];
    const all = [...endpoints.values()];
    if (all.length === 0) return all;
    rr = (rr + 1) % all.length;
    const rotated = [...all.slice(rr), ...all.slice(0, rr)];
    const now = Date.now();
    return [...rotated.filter((e) => e.downUntil <= now), ...rotated.filter((e) => e.downUntil > now)];
  };

  return {
    sockets: () => [...endpoints.keys()],
    async call<T>(action: string, params: object = {}, callOptions: CallOptions = {}): Promise<T> {
      if (closed) throw unavailable('client closed');
      const timeoutMs = callOptions.timeoutMs ?? defaultTimeout;
      const deadline = Date.now() + timeoutMs;
      const id = callOptions.id ?? newRequestId();
      refresh(false);
      let list = candidates();
      if (list.length === 0) {
        refresh(true);
        list = candidates();
      }
      // Built only on failure: an Error's stack capture costs more than a whole round trip.
      let lastError: SogomsError | undefined;
      for (const endpoint of list) {
        const conn = connectionFor(endpoint);
        if (!conn.connected) {
          try {
            await conn.ready;
          } catch {
            endpoint.downUntil = Date.now() + DOWN_BACKOFF_MS;
            lastError = unavailable(`cannot connect to ${endpoint.path}`);
            continue;
          }
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new SogomsError(ErrorCode.TIMEOUT, `${action} timed out after ${timeoutMs} ms`);
        try {
          return (await conn.request(action, params, id, left)) as T;
        } catch (err) {
          // A connection lost before any answer: try the next instance only if nothing could have run yet.
          if (err instanceof SogomsError && err.code === ErrorCode.SERVICE_UNAVAILABLE && !conn.connected) {
            lastError = err;
            continue;
          }
          throw err;
        }
      }
      if (options.discover) refresh(true);
      throw (
        lastError ??
        unavailable(options.discover ? `no ${options.discover.service} service socket` : 'no service socket')
      );
    },
    close() {
      closed = true;
      for (const endpoint of endpoints.values()) for (const conn of endpoint.conns) conn.close();
      endpoints.clear();
    },
  };
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
    await conn.ready;
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
