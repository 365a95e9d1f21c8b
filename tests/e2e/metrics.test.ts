// Metrics and CORS on real processes: sogoctl serves /metrics on `supervisor.metrics_listen` (service up and
// restart gauges), the gateway on its own `-metrics-port` (request counts and latencies), neither on the public
// port; a browser preflight to the real gateway gets its CORS answer without a token.
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type Platform, startPlatform, waitFor } from '../helpers/platform.js';

const ORIGIN = 'https://app.example.com';

/** The value of one sample line (`name{labels} value`), undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`metrics on ${port}: ${res.status}`);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

describe('metrics and CORS on the platform started by sogoctl', () => {
  let p: Platform;
  let supervisorPort: number;
  let gatewayPort: number;
  beforeAll(async () => {
    supervisorPort = await freePort();
    gatewayPort = await freePort();
    p = await startPlatform({
      driver: 'sqlite',
      supervisorExtra: `  metrics_listen: 127.0.0.1:${supervisorPort}`,
      gatewayArgs: ['-metrics-port', String(gatewayPort)],
      routesExtra: `cors:\n  origins: [${ORIGIN}]\nsmtp:\n  transport: file\n  dir: ../mail\n  from: noreply@prokov.test`,
    });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
  });

  it('sogoctl /metrics: every instance up; a killed service counts a restart and comes back up', async () => {
    const up = 'sogoms_service_up{service="sogoms-smtp",instance="1"}';
    const restarts = 'sogoms_service_restarts_total{service="sogoms-smtp",instance="1"}';
    const before = await scrape(supervisorPort);
    for (const service of ['sogoms-logs', 'sogoms-db', 'sogoms-smtp', 'sogoway'])
      expect(sample(before, `sogoms_service_up{service="${service}",instance="1"}`)).toBe(1);
    expect(sample(before, restarts)).toBe(0);
    expect(before).toContain('# TYPE sogoms_service_restarts_total counter');

    const rows = (await callOnce(join(p.runDir, 'sogoctl.sock'), 'status', {}, 2_000)) as {
      service: string;
      pid: number;
    }[];
    const smtp = rows.find((r) => r.service === 'sogoms-smtp')!;
    process.kill(smtp.pid, 'SIGKILL');
    await waitFor(
      async () => {
        const text = await scrape(supervisorPort);
        return sample(text, restarts) === 1 && sample(text, up) === 1;
      },
      20_000,
      'sogoms-smtp restarted and up again in sogoctl /metrics',
    );
  });

  it('gateway /metrics on its own port: the request counter and histogram move', async () => {
    const series =
      'sogoway_http_requests_total{app="prokov",resource="projects",method="GET",status_class="4xx"}';
    const count =
      'sogoway_http_request_duration_seconds_count{app="prokov",resource="projects",method="GET",status_class="4xx"}';
    const before = sample(await scrape(gatewayPort), series) ?? 0;
    for (let i = 0; i < 3; i++) expect((await p.request('GET', '/api/projects')).status).toBe(401);
    const after = await scrape(gatewayPort);
    expect(sample(after, series)).toBe(before + 3);
    expect(sample(after, count)).toBe(before + 3);
    // Not on the public port: there /metrics is just a path of the app, behind its token.
    const pub = await p.request('GET', '/metrics');
    expect(pub.status).toBe(404);
    expect(JSON.stringify(pub.body)).not.toContain('sogoway_http');
  });

  it('a preflight to the real gateway answers 204 with CORS headers, without a token', async () => {
    const res = await p.request('OPTIONS', '/api/projects', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const denied = await p.request('GET', '/api/projects', { headers: { origin: ORIGIN } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });
});
