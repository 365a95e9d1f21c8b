// GET /metrics of the gateway (Prometheus text) on its own listener: request counts and latency histograms per
// app, resource, method and status class, with labels bounded to configured names.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../src/metrics/http-metrics.js';
import { createMetricsServer, type MetricsServer } from '../src/metrics/server.js';
import { type Fixture, OTHER_HOST, startFixture } from './helpers/fixture.js';

/** The value of one sample line, e.g. `name{a="b"}`; undefined when the series does not exist. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const series = (name: string, app: string, resource: string, method: string, status: string) =>
  `${name}{app="${app}",resource="${resource}",method="${method}",status_class="${status}"}`;

describe('gateway /metrics', () => {
  let f: Fixture;
  let server: MetricsServer;
  let url: string;
  beforeAll(async () => {
    const metrics = new GatewayMetrics();
    f = await startFixture({ metrics });
    server = createMetricsServer(metrics);
    const address: AddressInfo = await server.listen(0);
    url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await server?.close();
    await f?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('counts requests and their latency per app, resource, method and status class', async () => {
    const user = await f.register('metrics@example.com', 'Metrics');
    for (let i = 0; i < 3; i++) await f.request({ url: '/api/projects', token: user.token });
    await f.request({ url: '/api/projects' }); // 401
    await f.request({ url: '/api/projects', host: OTHER_HOST }); // 401 on the other app
    const text = await scrape();
    expect(text).toContain('# TYPE sogoway_http_requests_total counter');
    expect(text).toContain('# TYPE sogoway_http_request_duration_seconds histogram');
    expect(sample(text, series('sogoway_http_requests_total', 'prokov', 'projects', 'GET', '2xx'))).toBe(3);
    expect(sample(text, series('sogoway_http_requests_total', 'prokov', 'projects', 'GET', '4xx'))).toBe(1);
    expect(sample(text, series('sogoway_http_requests_total', 'other', 'projects', 'GET', '4xx'))).toBe(1);
    expect(sample(text, series('sogoway_http_requests_total', 'prokov', 'auth', 'POST', '2xx'))).toBe(1);
    const count = series('sogoway_http_request_duration_seconds_count', 'prokov', 'projects', 'GET', '2xx');
    expect(sample(text, count)).toBe(3);
    const inf = `sogoway_http_request_duration_seconds_bucket{le="+Inf",app="prokov",resource="projects",method="GET",status_class="2xx"}`;
    expect(sample(text, inf)).toBe(3);
    // prom-client's process metrics are there too.
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('made-up resources, unknown hosts and methods do not make new series (bounded labels)', async () => {
    for (const name of ['aaa', 'bbb', 'ccc']) await f.request({ url: `/api/${name}` });
    await f.request({ url: '/api/projects', host: 'unknown.test' });
    await f.gateway.inject({ method: 'PROPFIND', url: '/api/projects', headers: { host: 'prokov.test' } });
    await f.gateway.inject({ method: 'GET', url: '/health' });
    const text = await scrape();
    expect(text).not.toMatch(/resource="(aaa|bbb|ccc)"/);
    expect(text).not.toContain('unknown.test');
    expect(sample(text, series('sogoway_http_requests_total', 'prokov', 'other', 'GET', '4xx'))).toBe(3);
    expect(sample(text, series('sogoway_http_requests_total', '-', '-', 'GET', '4xx'))).toBe(1);
    expect(text).toMatch(
      /sogoway_http_requests_total\{app="-",resource="health",method="GET",status_class="[25]xx"\} 1/,
    );
    expect(text).not.toContain('PROPFIND');
  });

  it('the metrics listener answers only GET /metrics', async () => {
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
