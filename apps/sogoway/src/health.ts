// GET /health (outside every base_path, no Host needed): the gateway's version and the state of each backing
// service. 503 when a required one (db, logs) does not answer; smtp is reported but optional (SPEC §5).
import { ErrorCode, newRequestId } from '@sogoms/protocol';
import type { FastifyReply } from 'fastify';
import type { GatewayCore } from './core.js';
import type { ServiceCaller } from './deps.js';
import { sendError, sendOk } from './http/envelope.js';

export type ServiceState = 'ok' | 'down' | 'absent';

async function probe(
  core: GatewayCore,
  service: ServiceCaller | undefined,
  requestId: string,
): Promise<ServiceState> {
  if (!service) return 'absent';
  try {
    await service.call('health', {}, { id: requestId, timeoutMs: core.healthTimeoutMs });
    return 'ok';
  } catch {
    return 'down';
  }
}

export async function handleHealth(
  core: GatewayCore,
  reply: FastifyReply,
  requestId: string = newRequestId(),
) {
  const { db, logs, smtp } = core.deps.services;
  const [dbState, logsState, smtpState] = await Promise.all([
    probe(core, db, requestId),
    probe(core, logs, requestId),
    probe(core, smtp, requestId),
  ]);
  const data = { version: core.version, services: { db: dbState, logs: logsState, smtp: smtpState } };
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
