// The benchmark's data set on MariaDB: a fresh database from clients/prokov.sql, 100 users (bcrypt cost 10,
// as in production, one shared password), their projects, statuses and tags, and 10,000 tasks spread over them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import { createTestDatabase, type TestDatabase } from '../../tests/helpers/mariadb.js';
import { ROOT } from '../../tests/helpers/platform.js';

export const BENCH_PASSWORD = 'bench-password-42';
export const USERS = 100;
export const TASKS = 10_000;
const PROJECTS_PER_USER = 3;
const STATUSES_PER_USER = 3;
const TAGS_PER_USER = 4;
const BCRYPT_COST = 10;
const BATCH = 1_000;

export interface BenchUser {
  id: number;
  email: string;
  taskIds: number[];
}

export interface BenchData {
  db: TestDatabase;
  users: BenchUser[];
  /** Indexes the bench added because clients/prokov.sql lacks them (reported, see docs/BENCHMARKS.md). */
  addedIndexes: string[];
}

// The list query runs `WHERE user_id = ? ORDER BY position ASC, id ASC LIMIT ?`: without (user_id, position)
// MariaDB reads every task of the user and sorts them. InnoDB appends the primary key (id) to every secondary
// index, so (user_id, position) serves the whole ORDER BY.
const WANTED_INDEXES = [{ table: 'tasks', name: 'idx_tasks_user_position', columns: 'user_id, position' }];

/** A small deterministic PRNG, so that two runs bench the same rows. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function insertRows(db: TestDatabase, table: string, columns: string[], rows: unknown[][]) {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await db.exec(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [batch]);
  }
}

/** Creates and fills the database; `addIndexes: false` keeps the schema exactly as clients/prokov.sql has it. */
export async function createBenchData(options: { addIndexes: boolean }): Promise<BenchData> {
  const db = await createTestDatabase(readFileSync(join(ROOT, 'clients', 'prokov.sql'), 'utf8'));
  const addedIndexes: string[] = [];
  if (options.addIndexes) {
    for (const index of WANTED_INDEXES) {
      const existing = await db.rows<{ Column_name: string; Key_name: string; Seq_in_index: number }>(
        `SHOW INDEX FROM ${index.table}`,
      );
      const leading = new Map<string, string[]>();
      for (const row of existing) {
        const cols = leading.get(row.Key_name) ?? [];
        cols[row.Seq_in_index - 1] = row.Column_name;
        leading.set(row.Key_name, cols);
      }
      const wanted = index.columns.split(', ');
      const covered = [...leading.values()].some((cols) => wanted.every((c, i) => cols[i] === c));
      if (!covered) {
        await db.exec(`ALTER TABLE ${index.table} ADD INDEX ${index.name} (${index.columns})`);
        addedIndexes.push(`${index.table}(${index.columns})`);
      }
    }
  }

  const random = mulberry32(20251216);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  // Distinct salts, like real accounts; bcrypt's async hash runs on the libuv pool, so this takes a few seconds.
  const hashes = await Promise.all(
    Array.from({ length: USERS }, () => bcrypt.hash(BENCH_PASSWORD, BCRYPT_COST)),
  );
  await insertRows(
    db,
    'users',
    ['email', 'password', 'name', 'role'],
    hashes.map((hash, i) => [`user${i + 1}@bench.test`, hash, `Bench User ${i + 1}`, 'user']),
  );
  const userRows = await db.rows<{ id: number; email: string }>('SELECT id, email FROM users ORDER BY id');

  const perUser = (n: number, make: (userId: number, k: number) => unknown[]) =>
    userRows.flatMap((u) => Array.from({ length: n }, (_, k) => make(u.id, k)));
  await insertRows(
    db,
    'projects',
    ['user_id', 'name', 'description', 'position'],
    perUser(PROJECTS_PER_USER, (id, k) => [id, `Project ${k + 1}`, `Project ${k + 1} of user ${id}`, k]),
  );
  await insertRows(
    db,
    'statuses',
    ['user_id', 'name', 'position'],
    perUser(STATUSES_PER_USER, (id, k) => [id, ['Todo', 'Doing', 'Done'][k % 3], k]),
  );
  await insertRows(
    db,
    'tags',
    ['user_id', 'name', 'color'],
    perUser(TAGS_PER_USER, (id, k) => [id, `tag-${k + 1}`, '#3366ff']),
  );
  const owned = async (table: string) => {
    const rows = await db.rows<{ id: number; user_id: number }>(`SELECT id, user_id FROM ${table}`);
    const byUser = new Map<number, number[]>();
    for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.id]);
    return byUser;
  };
  const projects = await owned('projects');
  const statuses = await owned('statuses');
  const tags = await owned('tags');

  const tasks: unknown[][] = [];
  for (let i = 0; i < TASKS; i++) {
    const user = userRows[i % userRows.length]!;
    const day = 1 + Math.floor(random() * 28);
    tasks.push([
      user.id,
      random() < 0.8 ? pick(projects.get(user.id)!) : null,
      pick(statuses.get(user.id)!),
      `Task ${i + 1}: ${pick(['write', 'review', 'ship', 'plan', 'test'])} ${pick(['docs', 'api', 'ui', 'db'])}`,
      random() < 0.5 ? `Details of task ${i + 1}, with some text to make the row a realistic size.` : null,
      Math.floor(random() * 4),
      random() < 0.6 ? `2026-0${1 + Math.floor(random() * 9)}-${String(day).padStart(2, '0')}` : null,
      Math.floor(random() * 1000),
      random() < 0.3 ? 1 : 0,
    ]);
  }
  await insertRows(
    db,
    'tasks',
    [
      'user_id',
      'project_id',
      'status_id',
      'title',
      'description',
      'priority',
      'due_date',
      'position',
      'done',
    ],
    tasks,
  );
  const taskRows = await db.rows<{ id: number; user_id: number }>('SELECT id, user_id FROM tasks');
  // About a third of the tasks carry a tag, so the list's tag_count subquery finds something.
  const links = taskRows.filter(() => random() < 0.33).map((t) => [t.id, pick(tags.get(t.user_id)!)]);
  await insertRows(db, 'task_tags', ['task_id', 'tag_id'], links);
  await db.exec('ANALYZE TABLE users, projects, statuses, tags, tasks, task_tags');

  const taskIds = new Map<number, number[]>();
  for (const t of taskRows) taskIds.set(t.user_id, [...(taskIds.get(t.user_id) ?? []), t.id]);
  const users = userRows.map((u) => ({ id: u.id, email: u.email, taskIds: taskIds.get(u.id) ?? [] }));
  return { db, users, addedIndexes };
}
