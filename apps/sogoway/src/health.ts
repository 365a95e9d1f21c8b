// GET /health (outside every base_path, no Host needed): is the gateway itself serving? It answers 200 whenever
// it does, with the state of each backing service as information: a stalled sogoms-logs or an absent sogoms-db
// is not something a gateway restart would cure (sogoctl kills a gateway whose health_url fails), and requests
// that need neither must keep being served. `status` is `degraded` when a service the gateway has is down or
// says it is degraded (sogoms-logs that cannot write its files).
import { newRequestId } from '@sogoms/protocol';
import type { FastifyReply } from 'fastify';
import type { GatewayCore } from './core.js';
import type { ServiceCaller } from './deps.js';
import { sendOk } from './http/envelope.js';
import type { LogCallStats } from './logs/sender.js';
import type { PushStats } from './push/publisher.js';

/** `degraded`: the service answers but says it cannot do its work (sogoms-logs with an unwritable directory). */
export type ServiceState = 'ok' | 'degraded' | 'down' | 'absent';

interface Probe {
  state: ServiceState;
  /** The service's own health answer, when it gave one. */
  answer?: unknown;
}

interface Probes {
  db: Probe;
  logs: Probe;
  smtp: Probe;
}

export interface HealthData {
  version: string;
  status: 'ok' | 'degraded';
  services: { db: ServiceState; logs: ServiceState; smtp: ServiceState };
  databases?: { ok: number; down: number };
  /** sogoms-db's MariaDB connections (the instance that answered): cap, use, waits and refusals. */
  db_connections?: DbConnections;
  log_calls: LogCallStats;
  /** Once an app has pushed or streamed: change events published, waiting or dropped, the open /realtime
   * streams and each broker link. */
  push_events?: PushStats & { streams: number; brokers: { broker: string; connected: boolean }[] };
}

export interface DbConnections {
  max: number;
  open: number;
  in_use: number;
  idle: number;
  waiting: number;
  refused: number;
  wait_timeouts: number;
  saturated: boolean;
}

const DB_CONNECTION_COUNTS = [
  'max',
  'open',
  'in_use',
  'idle',
  'waiting',
  'refused',
  'wait_timeouts',
] as const;

/** sogoms-db's `connections` answer, when it gave a well-formed one. */
function dbConnections(answer: unknown): DbConnections | undefined {
  const c = (answer as { connections?: Record<string, unknown> } | undefined)?.connections;
  if (typeof c !== 'object' || c === null) return undefined;
  const out = { saturated: c['saturated'] === true } as DbConnections;
  for (const key of DB_CONNECTION_COUNTS) {
    const n = c[key];
    if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
    out[key] = n;
  }
  return out;
}

async function probe(
  core: GatewayCore,
  service: ServiceCaller | undefined,
  requestId: string,
): Promise<Probe> {
  if (!service) return { state: 'absent' };
  try {
    const answer = await service.call('health', {}, { id: requestId, timeoutMs: core.healthTimeoutMs });
    const degraded = (answer as { status?: unknown } | null)?.status === 'degraded';
    return { state: degraded ? 'degraded' : 'ok', answer };
  } catch {
    return { state: 'down' };
  }
}

/**
 * How many of the apps' databases sogoms-db found up and down (`apps.{app}.status`). Counts, not names: the
 * endpoint answers anyone, whatever the Host, and must not list the tenants.
 */
function databaseCounts(answer: unknown): { ok: number; down: number } | undefined {
  const apps = (answer as { apps?: unknown } | undefined)?.apps;
  if (typeof apps !== 'object' || apps === null) return undefined;
  const counts = { ok: 0, down: 0 };
  for (const health of Object.values(apps)) {
    const status = (health as { status?: unknown } | null)?.status;
    // `unknown`: sogoms-db has not seen the database yet (no traffic, its ping on the way), not a database down.
    if (status === 'ok') counts.ok++;
    else if (status !== 'unknown') counts.down++;
  }
  return counts;
}

// One round of probes at a time per gateway: concurrent /health requests share it, so hammering /health does
// not multiply the calls to the backends.
const rounds = new WeakMap<GatewayCore, Promise<Probes>>();

function probeAll(core: GatewayCore, requestId: string): Promise<Probes> {
  let round = rounds.get(core);
  if (!round) {
    const { db, logs, smtp } = core.deps.services;
    round = Promise.all([
      probe(core, db, requestId),
      probe(core, logs, requestId),
      probe(core, smtp, requestId),
    ])
      .then(([d, l, s]) => ({ db: d, logs: l, smtp: s }))
      .finally(() => rounds.delete(core));
    rounds.set(core, round);
  }
  return round;
}

/** The /health data: never waits longer than one probe timeout, whatever the backends do. */
export async function healthData(core: GatewayCore, requestId: string): Promise<HealthData> {
  const probes = await probeAll(core, requestId);
  const services = { db: probes.db.state, logs: probes.logs.state, smtp: probes.smtp.state };
  const databases = databaseCounts(probes.db.answer);
  const connections = dbConnections(probes.db.answer);
  const degraded =
    Object.values(services).some((state) => state === 'down' || state === 'degraded') ||
    (databases !== undefined && databases.down > 0) ||
    connections?.saturated === true;
  return {
    version: core.version,
    status: degraded ? 'degraded' : 'ok',
    services,
    ...(databases ? { databases } : {}),
    ...(connections ? { db_connections: connections } : {}),
    log_calls: core.logs.stats(),
    ...(core.brokers.all().length > 0
      ? { push_events: { ...core.push.stats(), ...core.realtime.stats() } }
      : {}),
    ...core.deps.configState?.(),
  };
}

export async function handleHealth(
  core: GatewayCore,
  reply: FastifyReply,
  requestId: string = newRequestId(),
) {
  sendOk(reply, 200, 'OK', await healthData(core, requestId));
}
