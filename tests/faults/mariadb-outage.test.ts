// Issue 6, faults: MariaDB going away under a steady mixed load, on the machine's own server, which other tests
// share and which is therefore never stopped (mariadb-restart.test.ts restarts a private one for real). Its
// connections are cut two ways:
//  1. every connection of the test database is killed (`KILL CONNECTION`, in three waves 200 ms apart, as a
//     restart drops them all): the pool of sogoms-db must notice dead connections and open new ones;
//  2. sogoms-db is pointed (by a config reload) at a TCP proxy in front of MariaDB; stopping the proxy cuts every
//     connection and refuses new ones for two seconds (MariaDB down), starting it again is MariaDB back up.
// Either way every request gets an answer in the envelope (2xx, or 503 SERVICE_UNAVAILABLE) within the request
// timeout, everything started 3 s after MariaDB is back is served, and no insert answered 201 is lost.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, mariadbAvailable } from '../helpers/mariadb.js';
import { type Platform, startPlatform, waitFor } from '../helpers/platform.js';
import { checkOutage, loadOn, lostInserts, RECOVERY_MS, seedUsers, sleep } from './support/faults.js';
import type { LoadUser } from './support/mixed-load.js';
import { TcpProxy } from './support/tcp-proxy.js';

describe('MariaDB connections cut under a mixed load', () => {
  let p: Platform;
  let users: LoadUser[];
  let enabled = true;

  beforeAll(async () => {
    if (!(await mariadbAvailable())) {
      enabled = false;
      return;
    }
    p = await startPlatform({ driver: 'mysql' });
    users = await seedUsers(p, 4, 5);
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
  });

  const load = () => loadOn(p, users);

  it('survives every connection being killed (KILL CONNECTION): the pool opens new ones', async (ctx) => {
    if (!enabled) ctx.skip();
    const admin = await mysql.createConnection({ ...MARIADB });
    // The harness's own connection (p.rows) sits in the same database: spare it.
    const own = Number((await p.rows('SELECT CONNECTION_ID() AS id'))[0]!.id);
    const killAll = async () => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        'SELECT id FROM information_schema.processlist WHERE db = ? AND id <> ? AND id <> CONNECTION_ID()',
        [p.db!.name, own],
      );
      for (const row of rows) await admin.query('KILL CONNECTION ?', [row.id]).catch(() => undefined);
      return rows.length;
    };
    try {
      const running = load();
      await sleep(1_000);
      const downAt = Date.now();
      let killed = 0;
      for (let wave = 0; wave < 3; wave++) {
        killed += await killAll();
        await sleep(200);
      }
      const upAt = Date.now();
      await sleep(RECOVERY_MS + 2_000);
      const answers = await running.stop();
      expect(killed, 'connections of sogoms-db killed').toBeGreaterThan(0);
      checkOutage(answers, downAt, upAt);
      expect(await lostInserts(p, answers)).toEqual([]);
    } finally {
      await admin.end();
    }
  }, 60_000);

  it('survives MariaDB down for 2 s then up again (TCP proxy stopped and restarted)', async (ctx) => {
    if (!enabled) ctx.skip();
    const proxy = new TcpProxy({ host: MARIADB.host, port: MARIADB.port });
    const port = await proxy.start();
    try {
      const routes = join(p.configDir, 'routes', 'prokov.yaml');
      const yaml = readFileSync(routes, 'utf8');
      expect(yaml).toMatch(/^ {2}port: \d+$/m);
      writeFileSync(routes, yaml.replace(/^ {2}port: \d+$/m, `  port: ${port}`));
      // The config reload gives sogoms-db a new pool, which connects through the proxy on its next query.
      await waitFor(
        async () =>
          (await p.request('GET', '/api/tasks', { token: users[0]!.token })).status === 200 &&
          proxy.accepted > 0,
        15_000,
        'sogoms-db to reload its config and connect through the proxy',
      );
      const running = load();
      await sleep(1_000);
      const downAt = Date.now();
      await proxy.stop();
      await sleep(2_000);
      await proxy.start(port);
      const upAt = Date.now();
      await sleep(RECOVERY_MS + 2_000);
      const answers = await running.stop();
      checkOutage(answers, downAt, upAt);
      expect(
        answers.some((a) => a.status === 503),
        'requests while MariaDB was down must have been answered 503',
      ).toBe(true);
      expect(await lostInserts(p, answers)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});
