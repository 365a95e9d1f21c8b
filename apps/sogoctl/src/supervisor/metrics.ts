// GET /metrics of the supervisor (`supervisor.metrics_listen` in sogoctl.yaml): whether each instance of each
// service is up, FATAL, how often it was restarted, how long it has run, with prom-client (read from the status
// rows at scrape time), plus prom-client's process and Node.js metrics of sogoctl itself.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { StatusRow } from './supervisor.js';

const LABEL_NAMES = ['service', 'instance'] as const;
type Labels = Record<(typeof LABEL_NAMES)[number], string>;
const labelsOf = (r: StatusRow): Labels => ({ service: r.service, instance: String(r.instance) });

/**
 * A registry whose service families are filled from `rows()` each time it is scraped. `processMetrics`
 * (default true) adds prom-client's process_* and nodejs_* metrics.
 */
export function createSupervisorRegistry(
  rows: () => readonly StatusRow[],
  opts: { processMetrics?: boolean } = {},
): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, value: (r: StatusRow) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: LABEL_NAMES,
      registers: [registry],
      collect() {
        this.reset();
        for (const r of rows()) {
          const v = value(r);
          if (v !== null) this.set(labelsOf(r), v);
        }
      },
    });
  gauge('sogoms_service_up', '1 when the instance runs and answers its health check, else 0.', (r) =>
    r.state === 'healthy' ? 1 : 0,
  );
  new Counter({
    name: 'sogoms_service_restarts_total',
    help: 'Restarts of the instance since sogoctl started (crashes, failed health checks, operator restarts).',
    labelNames: LABEL_NAMES,
    registers: [registry],
    collect() {
      // The supervisor keeps the count; the counter is set from it at each scrape.
      this.reset();
      for (const r of rows()) this.inc(labelsOf(r), r.restarts);
    },
  });
  gauge(
    'sogoms_service_fatal',
    '1 when the instance gave up restarting (FATAL) and stays down until an operator restart.',
    (r) => (r.state === 'fatal' ? 1 : 0),
  );
  gauge(
    'sogoms_service_uptime_seconds',
    'Seconds since the instance process started (absent while it is not running).',
    (r) => (r.uptime_s === null ? null : Math.floor(r.uptime_s)),
  );
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface SupervisorMetricsServer {
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** An HTTP server on host:port answering GET /metrics with `rows()` rendered, 404 elsewhere. */
export function createSupervisorMetricsServer(
  listen: { host: string; port: number },
  rows: () => readonly StatusRow[],
): SupervisorMetricsServer {
  const registry = createSupervisorRegistry(rows);
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(listen.port, listen.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
