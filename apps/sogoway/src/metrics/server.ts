// The listener of GET /metrics, apart from the public one: it binds to 127.0.0.1 by default (`-metrics-host`),
// so the numbers are not readable from the internet, and a scrape never competes with the API's routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayMetrics } from './http-metrics.js';

export const DEFAULT_METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  /** Resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** An HTTP server answering GET /metrics with the gateway's metrics, 404 elsewhere. */
export function createMetricsServer(metrics: GatewayMetrics): MetricsServer {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  return {
    listen: (port, host = DEFAULT_METRICS_HOST) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
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
