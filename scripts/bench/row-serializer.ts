// Faster rows? The cost per row in sogoms-db of mysql2's text-protocol parse plus the JSON text of the rows,
// compared for: rows as objects + JSON.stringify (what sogoms-db does), and rows as arrays (`rowsAsArray`) + a
// serializer compiled once per query shape from the fields metadata. Real MariaDB, a projects-like table.
// Run: npx tsx scripts/bench/row-serializer.ts [rows=500] [iterations=300]
import mysql from 'mysql2';
import { createTestDatabase } from '../../tests/helpers/mariadb.js';

const ROWS = Number(process.argv[2] ?? 500);
const ITERATIONS = Number(process.argv[3] ?? 300);

const db = await createTestDatabase(`CREATE TABLE projects (
  id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, name VARCHAR(200) NOT NULL, description TEXT NULL,
  color VARCHAR(20) NULL, position INT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NULL);`);
const conn = mysql.createConnection({
  host: '127.0.0.1',
  user: 'root',
  database: db.name,
  dateStrings: true,
  decimalNumbers: true,
  supportBigNumbers: false,
});
const q = (sql: string, opts: { rowsAsArray?: boolean } = {}) =>
  new Promise<{ rows: unknown[]; fields: mysql.FieldPacket[] }>((resolve, reject) =>
    conn.query({ sql, ...opts }, (err, rows, fields) =>
      err ? reject(err) : resolve({ rows: rows as unknown[], fields: fields as mysql.FieldPacket[] }),
    ),
  );
const values = Array.from(
  { length: ROWS },
  (_, i) =>
    `(1, 'Project ${i} "quoted" é', ${i % 3 ? `'A description of project ${i}, with some text.'` : 'NULL'}, '#ff00${i % 10}0', ${i}, NOW(), ${i % 2 ? 'NOW()' : 'NULL'})`,
);
await q(
  `INSERT INTO projects (user_id, name, description, color, position, created_at, updated_at) VALUES ${values.join(',')}`,
);
const SQL = 'SELECT id, user_id, name, description, color, position, created_at, updated_at FROM projects';

/** A serializer for one shape: the keys' JSON written once, each value by its type. */
function compile(names: readonly string[]): (rows: unknown[][]) => string {
  const keys = names.map((n, i) => `${i === 0 ? '{' : ','}${JSON.stringify(n)}:`);
  return (rows) => {
    let out = '[';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (r > 0) out += ',';
      for (let i = 0; i < keys.length; i++) {
        const v = row[i];
        out += keys[i];
        out +=
          v === null
            ? 'null'
            : typeof v === 'number'
              ? Number.isFinite(v)
                ? String(v)
                : 'null'
              : JSON.stringify(v);
      }
      out += '}';
    }
    return `${out}]`;
  };
}

async function time(label: string, run: () => Promise<string>): Promise<string> {
  let out = '';
  for (let i = 0; i < 30; i++) out = await run(); // warm-up
  const c0 = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) out = await run();
  const c = process.cpuUsage(c0);
  const usPerRow = (c.user + c.system) / ITERATIONS / ROWS;
  console.log(`${label.padEnd(48)} ${usPerRow.toFixed(2)} µs/row (CPU of this process)`);
  return out;
}

const shapes = new Map<string, (rows: unknown[][]) => string>();
const objects = await time('objects + JSON.stringify', async () => JSON.stringify((await q(SQL)).rows));
const arrays = await time('rowsAsArray + per-shape serializer', async () => {
  const { rows, fields } = await q(SQL, { rowsAsArray: true });
  const key = fields.map((f) => f.name).join('\0');
  let ser = shapes.get(key);
  if (!ser) {
    ser = compile(fields.map((f) => f.name));
    shapes.set(key, ser);
  }
  return ser(rows as unknown[][]);
});
await time('rowsAsArray, parse only', async () => {
  await q(SQL, { rowsAsArray: true });
  return '';
});
await time('objects, parse only', async () => {
  await q(SQL);
  return '';
});
console.log(`identical JSON: ${objects === arrays}`);
conn.end();
await db.drop();
