// The benchmark's baseline: the straightforward monolith the platform is measured against. One fastify
// process, jose `jwtVerify` on every request (the platform's secret, so its tokens are valid here), a mysql2
// pool running the very SQL the gateway sends to sogoms-db (role filter, ORDER BY, LIMIT/OFFSET, built from the
// same YAML with the same @sogoms/sql rewrites), fastify's default serialization, bcrypt on login.
// Spawned by run.ts with `node --import tsx`; env BASELINE_PORT, BASELINE_DB, BASELINE_SECRET.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addCondition, appendLimit, compileNamed, replaceOrderBy } from '@sogoms/sql';
import bcrypt from 'bcrypt';
import Fastify, { type FastifyReply } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import yaml from 'js-yaml';
import mysql, { type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { MARIADB } from '../../tests/helpers/mariadb.js';
import { ROOT } from '../../tests/helpers/platform.js';

const APP = 'prokov';
const QUERIES = join(ROOT, 'config', 'queries', APP);

interface ResourceYaml {
  list?: { query: string; filters: Record<string, string>; order?: string; limit?: { max?: number } };
  show?: { query: string; filters: Record<string, string> };
  create?: { table: string; fields: string[] };
}

function resource(name: string): ResourceYaml {
  return yaml.load(readFileSync(join(QUERIES, `${name}.yaml`), 'utf8')) as ResourceYaml;
}

/** The list SQL exactly as the gateway builds it for a `user` role without ?sort or params. */
function listSql(r: ResourceYaml): string {
  const list = r.list!;
  let sql = addCondition(list.query, list.filters.default ?? '');
  if (list.order) sql = replaceOrderBy(sql, list.order);
  return compileNamed(appendLimit(sql)).text;
}

const tasks = resource('tasks');
const LIST_TASKS = listSql(tasks);
const SHOW_TASK = compileNamed(addCondition(tasks.show!.query, tasks.show!.filters.default ?? '')).text;
const TASK_FIELDS = new Set(tasks.create!.fields);
const auth = yaml.load(readFileSync(join(QUERIES, 'auth.yaml'), 'utf8')) as {
  login: { query: string; include: string[] };
};
const LOGIN = compileNamed(auth.login.query).text;
const INCLUDES = auth.login.include.map((name) => {
  const r = resource(name);
  return { name, sql: listSql(r), max: r.list?.limit?.max ?? 500 };
});

const secret = new TextEncoder().encode(process.env.BASELINE_SECRET ?? '');
const pool = mysql.createPool({
  // Both sides reach MariaDB the same way: over its Unix socket when BENCH_DB_SOCKET is set.
  ...(process.env.BENCH_DB_SOCKET
    ? { socketPath: process.env.BENCH_DB_SOCKET }
    : { host: MARIADB.host, port: MARIADB.port }),
  user: MARIADB.user,
  password: MARIADB.password,
  database: process.env.BASELINE_DB,
  connectionLimit: 10,
  dateStrings: true,
});

interface Claims {
  sub: number;
  email: string;
  role: string;
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ success: false, error: { code, message } });
}

async function user(authorization: string | undefined): Promise<Claims | undefined> {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  try {
    const { payload } = await jwtVerify(authorization.slice(7), secret, { algorithms: ['HS256'] });
    if (payload.app !== APP || typeof payload.sub !== 'number') return undefined;
    return payload as unknown as Claims;
  } catch {
    return undefined;
  }
}

const app = Fastify({ logger: false });

app.get('/api/tasks', async (request, reply) => {
  const claims = await user(request.headers.authorization);
  if (!claims) return fail(reply, 401, 'UNAUTHORIZED', 'Invalid token');
  const q = request.query as Record<string, string | undefined>;
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(offset) || offset < 0)
    return fail(reply, 400, 'VALIDATION_ERROR', 'Bad pagination');
  const [rows] = await pool.query<RowDataPacket[]>(LIST_TASKS, [claims.sub, limit, offset]);
  return { success: true, message: 'OK', data: rows, meta: { limit, offset } };
});

app.get('/api/tasks/:id', async (request, reply) => {
  const claims = await user(request.headers.authorization);
  if (!claims) return fail(reply, 401, 'UNAUTHORIZED', 'Invalid token');
  const text = (request.params as { id: string }).id;
  const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : 0;
  if (!Number.isSafeInteger(id) || id <= 0) return fail(reply, 400, 'VALIDATION_ERROR', 'Bad id');
  const [rows] = await pool.query<RowDataPacket[]>(SHOW_TASK, [id, claims.sub]);
  if (rows.length === 0) return fail(reply, 404, 'NOT_FOUND', 'Not found');
  return { success: true, message: 'OK', data: rows[0] };
});

app.post('/api/tasks', async (request, reply) => {
  const claims = await user(request.headers.authorization);
  if (!claims) return fail(reply, 401, 'UNAUTHORIZED', 'Invalid token');
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return fail(reply, 400, 'VALIDATION_ERROR', 'Body must be a JSON object');
  const entries = Object.entries(body as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (!TASK_FIELDS.has(key) || (value !== null && typeof value === 'object'))
      return fail(reply, 400, 'VALIDATION_ERROR', `Bad field ${key}`);
  }
  const columns = [...entries.map(([key]) => key), 'user_id'];
  const sql = `INSERT INTO \`tasks\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  const [result] = await pool.query<ResultSetHeader>(sql, [...entries.map(([, v]) => v), claims.sub]);
  return reply.code(201).send({ success: true, message: 'Created', data: { insert_id: result.insertId } });
});

app.post('/api/auth/login', async (request, reply) => {
  const body = request.body as { email?: unknown; password?: unknown } | null;
  if (typeof body?.email !== 'string' || typeof body.password !== 'string')
    return fail(reply, 400, 'VALIDATION_ERROR', 'email and password are required');
  const email = body.email.trim().toLowerCase();
  const [rows] = await pool.query<RowDataPacket[]>(LOGIN, [email]);
  const row = rows[0];
  if (!row || !(await bcrypt.compare(body.password, String(row.password))))
    return fail(reply, 401, 'INVALID_CREDENTIALS', 'Invalid email or password');
  const role = row.role || 'user';
  const token = await new SignJWT({ sub: row.id, email: row.email, name: row.name, app: APP, role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('2h')
    .setJti(crypto.randomUUID())
    .sign(secret);
  const lists = await Promise.all(
    INCLUDES.map(async (inc) => (await pool.query<RowDataPacket[]>(inc.sql, [row.id, inc.max, 0]))[0]),
  );
  const data: Record<string, unknown> = {};
  INCLUDES.forEach((inc, i) => {
    data[inc.name] = lists[i];
  });
  const { password: _hash, ...publicUser } = row;
  return { success: true, message: 'Connexion réussie', data: { ...data, token, user: publicUser } };
});

await app.listen({ port: Number(process.env.BASELINE_PORT ?? 0), host: '127.0.0.1' });
process.send?.({ ready: true, sql: { list: LIST_TASKS, show: SHOW_TASK } });
process.on('disconnect', () => {
  void app.close().then(() => pool.end().then(() => process.exit(0)));
});
