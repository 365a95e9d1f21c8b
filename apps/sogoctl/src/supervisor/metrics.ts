// GET /metrics of the supervisor (`supervisor.metrics_listen` in sogoctl.yaml): whether each instance of each
// service is up, how often it was restarted, how long it has run, in the Prometheus text format. Written by
// hand: three gauges read from the status rows at scrape time need no client library.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusRow } from './supervisor.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value, escaped as the exposition format wants. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The Prometheus text of these status rows. */
export function renderMetrics(rows: readonly StatusRow[]): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string, value: (r: StatusRow) => number | null): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const r of rows) {
      const v = value(r);
      if (v !== null) lines.push(`${name}{service="${label(r.service)}",instance="${r.instance}"} ${v}`);
    }
  };
  family(
    'sogoms_service_up',
    'gauge',
    '1 when the instance runs and answers its health check, else 0.',
    (r) => (r.state === 'healthy' ? 1 : 0),
  );
  family(
    'sogoms_service_restarts_total',
    'counter',
    'Restarts of the instance since sogoctl started (crashes, failed health checks, operator restarts).',
    (r) => r.restarts,
  );
  family(
    'sogoms_service_fatal',
    'gauge',
    '1 when the instance gave up restarting (FATAL) and stays down until an operator restart.',
    (r) => (r.state === 'fatal' ? 1 : 0),
  );
  family(
    'sogoms_service_uptime_seconds',
    'gauge',
    'Seconds since the instance process started (absent while it is not running).',
    (r) => (r.uptime_s === null ? null : Math.floor(r.uptime_s)),
  );
  return `${lines.join('\n')}\n`;
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
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(renderMetrics(rows()));
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
