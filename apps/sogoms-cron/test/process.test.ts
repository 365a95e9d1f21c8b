// sogoms-cron as a real process, with real sogoms-logs, sogoms-db (SQLite) and sogoms-smtp processes: a seconds
// schedule runs on time, a job never overlaps itself, every run is logged, a missed run is caught up at start,
// and webhooks are signed.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callOnce } from '@sogoms/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type CronPlatform, sleep, sqliteRows, startCronPlatform } from './helpers.js';

let platform: CronPlatform | undefined;
afterEach(async () => {
  await platform?.stop();
  platform = undefined;
});

describe('sogoms-cron process (SQLite)', () => {
  it('runs a seconds schedule on every second, once per tick, and logs each run to sogoms-logs', async () => {
    platform = await startCronPlatform({
      sqliteSchema: 'CREATE TABLE ticks (scheduled_at TEXT NOT NULL, job TEXT NOT NULL)',
      cron: `jobs:
  every_second:
    schedule: "* * * * * *"
    sql:
      query: INSERT INTO ticks (scheduled_at, job) VALUES (:scheduled_at, :job)
`,
    });
    await sleep(3_600);
    const ticks = sqliteRows(platform.sqliteFile!, 'SELECT scheduled_at FROM ticks ORDER BY scheduled_at');
    const seconds = ticks.map((r) => Date.parse(`${String(r.scheduled_at).replace(' ', 'T')}Z`));
    expect(seconds.length).toBeGreaterThanOrEqual(3);
    // Whole seconds, one after the other: none missed, none repeated.
    for (const [i, at] of seconds.entries()) {
      expect(at % 1000).toBe(0);
      if (i > 0) expect(at - seconds[i - 1]!).toBe(1000);
    }
    const claims = sqliteRows(platform.sqliteFile!, 'SELECT * FROM sogoms_cron_runs WHERE job = ?', [
      'every_second',
    ]);
    expect(claims.filter((c) => c.outcome === 'ok').length).toBeGreaterThanOrEqual(seconds.length - 1);
    expect(claims.every((c) => c.host === 'host-a')).toBe(true);

    const events = platform.runEvents();
    expect(events.length).toBeGreaterThanOrEqual(seconds.length - 1);
    const first = events[0]!.data as Record<string, unknown>;
    expect(first).toMatchObject({
      job: 'every_second',
      kind: 'sql',
      trigger: 'schedule',
      outcome: 'ok',
      rows: 1,
    });
    expect(typeof first.duration_ms).toBe('number');
    expect(Date.parse(String(first.started_at))).toBeGreaterThanOrEqual(
      Date.parse(String(first.scheduled_at)),
    );
    // The tick starts within a fraction of a second of its scheduled time.
    expect(Date.parse(String(first.started_at)) - Date.parse(String(first.scheduled_at))).toBeLessThan(900);
    expect(Date.parse(String(first.finished_at))).toBeGreaterThanOrEqual(
      Date.parse(String(first.started_at)),
    );
  });

  it('never overlaps a run of the same job: ticks that come while it runs are skipped and logged', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const bodies: { body: string; headers: IncomingMessage['headers'] }[] = [];
    const server = createServer((req, res) => {
      inFlight++;
      calls++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        bodies.push({ body, headers: req.headers });
        setTimeout(() => {
          inFlight--;
          res.writeHead(204).end();
        }, 2_300);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      platform = await startCronPlatform({
        cron: `jobs:
  slow_hook:
    schedule: "* * * * * *"
    timeout: 10s
    http:
      url: http://127.0.0.1:${port}/hook
      secret: s3cret-hmac-key
`,
      });
      await sleep(5_500);
      expect(maxInFlight).toBe(1);
      expect(calls).toBeGreaterThanOrEqual(2);
      const events = platform.runEvents().map((e) => e.data as Record<string, unknown>);
      const skipped = events.filter((e) => e.outcome === 'skipped');
      const ok = events.filter((e) => e.outcome === 'ok');
      expect(skipped.length).toBeGreaterThanOrEqual(2);
      expect(skipped[0]).toMatchObject({ job: 'slow_hook', error: 'the previous run is still running' });
      expect(ok[0]).toMatchObject({ kind: 'http', status: 204 });
      expect(Number(ok[0]!.duration_ms)).toBeGreaterThanOrEqual(2_000);

      // The signature is HMAC-SHA256(secret, "<timestamp>.<body>") over the body as received.
      const { body, headers } = bodies[0]!;
      const timestamp = String(headers['x-sogoms-timestamp']);
      const expected = createHmac('sha256', 's3cret-hmac-key').update(`${timestamp}.${body}`).digest('hex');
      expect(headers['x-sogoms-signature']).toBe(`sha256=${expected}`);
      expect(JSON.parse(body)).toMatchObject({ app: 'demo', job: 'slow_hook' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('times a job out, logs the timeout, and fails a webhook answering 500', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/fail') res.writeHead(500).end();
      // /hang never answers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      platform = await startCronPlatform({
        cron: `jobs:
  hang:
    schedule: "0 0 1 1 *"
    timeout: 1s
    http: { url: "http://127.0.0.1:${port}/hang" }
  fail:
    schedule: "0 0 1 1 *"
    http: { url: "http://127.0.0.1:${port}/fail", method: GET }
`,
      });
      const hang = (await callOnce(
        platform.cronSocket,
        'run',
        { app: 'demo', job: 'hang' },
        10_000,
      )) as Record<string, unknown>;
      expect(hang).toMatchObject({ outcome: 'timeout', trigger: 'manual' });
      expect(Number(hang.duration_ms)).toBeGreaterThanOrEqual(1_000);
      expect(Number(hang.duration_ms)).toBeLessThan(3_000);
      const fail = (await callOnce(
        platform.cronSocket,
        'run',
        { app: 'demo', job: 'fail' },
        10_000,
      )) as Record<string, unknown>;
      expect(fail).toMatchObject({ outcome: 'failed', status: 500, error: 'HTTP 500' });
      await sleep(300);
      const outcomes = platform.runEvents().map((e) => (e.data as Record<string, unknown>).outcome);
      expect(outcomes).toEqual(['timeout', 'failed']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('runs a missed run once at start when the job says catch_up, and not a job without it', async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const day = twoDaysAgo.toISOString().slice(0, 10);
    platform = await startCronPlatform({
      sqliteSchema: `CREATE TABLE ticks (scheduled_at TEXT NOT NULL, job TEXT NOT NULL);
CREATE TABLE sogoms_cron_runs (job VARCHAR(64) NOT NULL, scheduled_at DATETIME NOT NULL, host VARCHAR(255) NOT NULL,
  started_at DATETIME NOT NULL, finished_at DATETIME NULL, outcome VARCHAR(16) NOT NULL, detail VARCHAR(500) NULL,
  PRIMARY KEY (job, scheduled_at));
INSERT INTO sogoms_cron_runs VALUES ('nightly', '${day} 03:00:00', 'old', '${day} 03:00:00', '${day} 03:00:01', 'ok', NULL);
INSERT INTO sogoms_cron_runs VALUES ('nightly_no', '${day} 03:00:00', 'old', '${day} 03:00:00', '${day} 03:00:01', 'ok', NULL);`,
      cron: `jobs:
  nightly:
    schedule: "0 3 * * *"
    catch_up: true
    sql: { query: "INSERT INTO ticks (scheduled_at, job) VALUES (:scheduled_at, :job)" }
  nightly_no:
    schedule: "0 3 * * *"
    sql: { query: "INSERT INTO ticks (scheduled_at, job) VALUES (:scheduled_at, :job)" }
`,
    });
    await sleep(1_000);
    const ticks = sqliteRows(platform.sqliteFile!, 'SELECT * FROM ticks');
    const now = new Date();
    const latest3am = new Date(`${now.toISOString().slice(0, 10)}T03:00:00Z`);
    if (latest3am.getTime() > now.getTime()) latest3am.setUTCDate(latest3am.getUTCDate() - 1);
    expect(ticks).toEqual([
      { job: 'nightly', scheduled_at: latest3am.toISOString().slice(0, 19).replace('T', ' ') },
    ]);
    const events = platform.runEvents().map((e) => e.data as Record<string, unknown>);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ job: 'nightly', trigger: 'catch_up', outcome: 'ok' });
  });

  it('answers list with next run times, and run with clear errors for unknown apps and jobs', async () => {
    platform = await startCronPlatform({
      cron: `jobs:
  morning:
    schedule: "0 7 * * *"
    timezone: Europe/Paris
    sql: { query: "SELECT 1" }
`,
    });
    const rows = (await callOnce(platform.cronSocket, 'list', {}, 5_000)) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    const next = new Date(String(rows[0]!.next_run));
    const paris = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).format(next);
    expect(paris).toBe('07:00:00');
    expect(rows[0]).toMatchObject({
      app: 'demo',
      job: 'morning',
      kind: 'sql',
      running: false,
      last_run: null,
    });
    await expect(callOnce(platform.cronSocket, 'run', { app: 'nope', job: 'morning' })).rejects.toMatchObject(
      {
        code: 'UNKNOWN_APP',
      },
    );
    await expect(callOnce(platform.cronSocket, 'run', { app: 'demo', job: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(callOnce(platform.cronSocket, 'run', { app: 'demo' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    const ran = (await callOnce(platform.cronSocket, 'run', { app: 'demo', job: 'morning' })) as Record<
      string,
      unknown
    >;
    expect(ran).toMatchObject({ outcome: 'ok', rows: 1 });
  });
});
