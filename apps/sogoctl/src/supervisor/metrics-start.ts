// Starts sogoctl's /metrics listener when sogoctl.yaml sets `supervisor.metrics_listen`, before any service is
// spawned: a port already taken is a start failure like the control socket's.
import type { SogoctlConfig } from '@sogoms/config';
import type { LogSink } from './log.js';
import type { SupervisorMetricsServer } from './metrics.js';
import type { Supervisor } from './supervisor.js';

/** The running server, undefined when not configured, false when it cannot listen (already logged). */
export async function startSupervisorMetrics(
  config: SogoctlConfig,
  supervisor: Supervisor,
  log: LogSink,
): Promise<SupervisorMetricsServer | undefined | false> {
  const listen = config.supervisor.metricsListen;
  if (!listen) return undefined;
  // Loaded only when asked for: prom-client stays out of the start of a supervisor without metrics.
  const { createSupervisorMetricsServer } = await import('./metrics.js');
  const server = createSupervisorMetricsServer(listen, () => supervisor.status());
  try {
    const bound = await server.listen();
    const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
    const url = `http://${host}:${bound.port}/metrics`;
    log.event('info', 'metrics', `metrics at ${url}`, { url });
    return server;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.event(
      'fatal',
      'metrics_listen',
      `cannot serve the metrics on ${listen.host}:${listen.port}: ${message}`,
    );
    return false;
  }
}
