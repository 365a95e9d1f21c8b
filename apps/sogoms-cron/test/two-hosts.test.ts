// Two SOGOMS hosts on one MariaDB: two whole sets of processes (logs, db, cron) with their own config trees and
// sockets, the same job every second. Each tick must run on exactly one of them (the claim row in the app's
// database), never on both, and no tick may be lost.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, mariadbAvailable, type TestDatabase } from '../../../tests/helpers/mariadb.js';
import { type CronPlatform, sleep, startCronPlatform } from './helpers.js';

const hasMariadb = await mariadbAvailable();

const CRON = `jobs:
  every_second:
    schedule: "* * * * * *"
    sql:
      query: INSERT INTO ticks (scheduled_at) VALUES (:scheduled_at)
`;

let platforms: CronPlatform[] = [];
let db: TestDatabase | undefined;
afterEach(async () => {
  await Promise.all(platforms.map((p) => p.stop()));
  platforms = [];
  await db?.drop();
  db = undefined;
});

describe.skipIf(!hasMariadb)('sogoms-cron on two hosts sharing one MariaDB', () => {
  it('runs each tick of a seconds schedule once between the two hosts', async () => {
    db = await createTestDatabase(
      'CREATE TABLE ticks (id INT AUTO_INCREMENT PRIMARY KEY, scheduled_at DATETIME NOT NULL)',
    );
    platforms = await Promise.all([
      startCronPlatform({ cron: CRON, mariadb: db, hostId: 'host-a' }),
      startCronPlatform({ cron: CRON, mariadb: db, hostId: 'host-b' }),
    ]);
    await sleep(4_500);
    const ticks = await db.rows<{ scheduled_at: Date | string; n: number }>(
      'SELECT scheduled_at, COUNT(*) AS n FROM ticks GROUP BY scheduled_at ORDER BY scheduled_at',
    );
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((t) => Number(t.n) === 1)).toBe(true);
    const claims = await db.rows<{ host: string; outcome: string; scheduled_at: unknown }>(
      "SELECT host, outcome, scheduled_at FROM sogoms_cron_runs WHERE job = 'every_second'",
    );
    // One claim per tick, each by one of the two hosts; every tick the job ran has its claim.
    expect(claims.length).toBeGreaterThanOrEqual(ticks.length);
    expect(new Set(claims.map((c) => String(c.scheduled_at))).size).toBe(claims.length);
    expect(claims.every((c) => c.host === 'host-a' || c.host === 'host-b')).toBe(true);
    // Both hosts logged only the runs they made: together, one `ok` event per tick.
    const events = platforms.flatMap((p) => p.runEvents().map((e) => e.data as Record<string, unknown>));
    const ok = events.filter((e) => e.outcome === 'ok');
    expect(new Set(ok.map((e) => e.scheduled_at)).size).toBe(ok.length);
    expect(ok.length).toBeGreaterThanOrEqual(ticks.length - 1);
  });
});
