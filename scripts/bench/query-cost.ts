// What the benchmark's statements cost MariaDB itself: each one run 5,000 times over 10 connections straight
// from mysql2 (no gateway, no db service), with the server's CPU time per query read from /proc. It shows how
// much of a request's CPU budget the database takes before any of our code runs, and what the list's
// correlated tag_count subquery costs.
// Run: npx tsx scripts/bench/query-cost.ts
import mysql from 'mysql2/promise';
import { MARIADB } from '../../tests/helpers/mariadb.js';
import { cpuSeconds, findMariadbPid } from './cpu.js';
import { createBenchData } from './dataset.js';

const QUERIES = 5_000;
const CONNECTIONS = 10;
const LIST = `SELECT id, user_id, project_id, status_id, title, description, priority, due_date, position, done,
  (SELECT COUNT(*) FROM task_tags tt WHERE tt.task_id = tasks.id) AS tag_count,
  created_at, updated_at
FROM tasks WHERE (user_id = ?) ORDER BY position ASC, id ASC LIMIT ? OFFSET ?`;
const LIST_WITHOUT_SUBQUERY = LIST.replace(/\(SELECT COUNT\(\*\)[^)]*\) AS tag_count,/, '');

const mariadb = findMariadbPid();
if (!mariadb) throw new Error('no local mariadbd process: this tool reads its CPU time from /proc');
const data = await createBenchData({ addIndexes: !process.env.BENCH_NO_INDEX });
const pool = mysql.createPool({
  ...MARIADB,
  database: data.db.name,
  connectionLimit: CONNECTIONS,
  dateStrings: true,
});
const users = data.users;
const cases: Array<[string, string, (i: number) => unknown[]]> = [
  ['list (20 rows, with tag_count)', LIST, (i) => [users[i % users.length]!.id, 20, 0]],
  ['list (20 rows, without tag_count)', LIST_WITHOUT_SUBQUERY, (i) => [users[i % users.length]!.id, 20, 0]],
  [
    'show (one own task)',
    'SELECT * FROM tasks WHERE (id = ?) AND (user_id = ?)',
    (i) => {
      const u = users[i % users.length]!;
      return [u.taskIds[i % u.taskIds.length], u.id];
    },
  ],
  ['SELECT 1', 'SELECT 1', () => []],
];
try {
  console.log((await pool.query(`EXPLAIN ${LIST}`, [users[0]!.id, 20, 0]))[0]);
  for (const [name, sql, args] of cases) {
    let next = 0;
    const cpu0 = cpuSeconds(mariadb);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < QUERIES) await pool.query(sql, args(next++));
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpuUs = ((cpuSeconds(mariadb) - cpu0) * 1e6) / QUERIES;
    console.log(
      `${name}: ${Math.round(QUERIES / seconds)} queries/s, MariaDB CPU ${Math.round(cpuUs)} µs/query`,
    );
  }
} finally {
  await pool.end();
  await data.db.drop();
}
