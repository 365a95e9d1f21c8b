// GET /health (outside every base_path, no Host needed): the gateway's version and the state of each backing
// service, and how many app databases sogoms-db finds up and down. 503 when a required service (db, logs) does not
// answer; smtp is reported but optional (SPEC §5).
import { ErrorCode, newRequestId } from '@sogoms/protocol';
import type { FastifyReply } from 'fastify';
import type { GatewayCore } from './core.js';
import type { ServiceCaller } from './deps.js';
import { sendError, sendOk } from './http/envelope.js';

export type ServiceState = 'ok' | 'down' | 'absent';

interface Probe {
  state: ServiceState;
  /** The service's own health answer, when it gave one. */
  answer?: unknown;
}

async function probe(
  core: GatewayCore,
  service: ServiceCaller | undefined,
  requestId: string,
): Promise<Probe> {
  if (!service) return { state: 'absent' };
  try {
    const answer = await service.call('health', {}, { id: requestId, timeoutMs: core.healthTimeoutMs });
    return { state: 'ok', answer };
  } catch {
    return { state: 'down' };
  }
}

/**
 * How many of the apps' databases sogoms-db found up and down (`apps.{app}.status`). Counts, not names: the
 * endpoint answers anyone, whatever the Host, and must not list the tenants. A database that is down leaves the
 * answer 200: the gateway still answers (503 per request), and restarting it would cure nothing.
 */
function databaseCounts(answer: unknown): { ok: number; down: number } | undefined {
  const apps = (answer as { apps?: unknown } | undefined)?.apps;
  if (typeof apps !== 'object' || apps === null) return undefined;
  const counts = { ok: 0, down: 0 };
  for (const health of Object.values(apps)) {
    if ((health as { status?: unknown } | null)?.status === 'ok') counts.ok++;
    else counts.down++;
  }
  return counts;
}

export async function handleHealth(
  core: GatewayCore,
  reply: FastifyReply,
  requestId: string = newRequestId(),
) {
  const { db, logs, smtp } = core.deps.services;
  const [dbProbe, logsProbe, smtpProbe] = await Promise.all([
    probe(core, db, requestId),
    probe(core, logs, requestId),
    probe(core, smtp, requestId),
  ]);
  const { state: dbState, answer: dbAnswer } = dbProbe;
  const logsState = logsProbe.state;
  const databases = databaseCounts(dbAnswer);
  const data = {
    version: core.version,
    services: { db: dbState, logs: logsState, smtp: smtpProbe.state },
    ...(databases ? { databases } : {}),
  };
  if (dbState === 'ok' && logsState === 'ok') {
    sendOk(reply, 200, 'OK', data);
    return;
  }
  const down = [dbState !== 'ok' && 'db', logsState !== 'ok' && 'logs'].filter(Boolean).join(', ');
  sendError(
    reply,
    { status: 503, code: ErrorCode.SERVICE_UNAVAILABLE, message: `Unavailable: ${down}` },
    data,
  );
}
