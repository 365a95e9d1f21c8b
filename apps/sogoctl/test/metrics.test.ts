// sogoctl's /metrics families, built with prom-client from the status rows at each scrape.
import { describe, expect, it } from 'vitest';
import { createSupervisorRegistry } from '../src/supervisor/metrics.js';
import type { StatusRow } from '../src/supervisor/supervisor.js';

const row = (over: Partial<StatusRow>): StatusRow => ({
  service: 'sogoms-db',
  instance: 1,
  pid: 10,
  state: 'healthy',
  uptime_s: 61.7,
  restarts: 0,
  last_exit: null,
  ...over,
});

describe('sogoctl metrics', () => {
  it('exposes up, restarts, FATAL and uptime per instance, read from the rows at each scrape', async () => {
    let rows: StatusRow[] = [
      row({}),
      row({ service: 'sogoway', instance: 2, restarts: 3, uptime_s: 5 }),
      row({ service: 'sogoms-smtp', state: 'fatal', pid: null, uptime_s: null, restarts: 5 }),
    ];
    const registry = createSupervisorRegistry(() => rows, { processMetrics: false });
    const text = await registry.metrics();
    expect(registry.contentType).toContain('text/plain');
    expect(text).toContain('# TYPE sogoms_service_restarts_total counter');
    expect(text).toContain('# TYPE sogoms_service_up gauge');
    const samples = text.split('\n').filter((l) => l.startsWith('sogoms_'));
    expect(samples).toEqual([
      'sogoms_service_up{service="sogoms-db",instance="1"} 1',
      'sogoms_service_up{service="sogoway",instance="2"} 1',
      'sogoms_service_up{service="sogoms-smtp",instance="1"} 0',
      'sogoms_service_restarts_total{service="sogoms-db",instance="1"} 0',
      'sogoms_service_restarts_total{service="sogoway",instance="2"} 3',
      'sogoms_service_restarts_total{service="sogoms-smtp",instance="1"} 5',
      'sogoms_service_fatal{service="sogoms-db",instance="1"} 0',
      'sogoms_service_fatal{service="sogoway",instance="2"} 0',
      'sogoms_service_fatal{service="sogoms-smtp",instance="1"} 1',
      'sogoms_service_uptime_seconds{service="sogoms-db",instance="1"} 61',
      'sogoms_service_uptime_seconds{service="sogoway",instance="2"} 5',
    ]);
    // The next scrape reads the rows again: a series whose instance went away is gone.
    rows = [row({ restarts: 1, state: 'unhealthy' })];
    const again = (await registry.metrics()).split('\n').filter((l) => l.startsWith('sogoms_'));
    expect(again).toEqual([
      'sogoms_service_up{service="sogoms-db",instance="1"} 0',
      'sogoms_service_restarts_total{service="sogoms-db",instance="1"} 1',
      'sogoms_service_fatal{service="sogoms-db",instance="1"} 0',
      'sogoms_service_uptime_seconds{service="sogoms-db",instance="1"} 61',
    ]);
  });

  it('adds the process and Node.js metrics of sogoctl itself by default', async () => {
    const text = await createSupervisorRegistry(() => []).metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });
});
