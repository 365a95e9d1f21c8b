// What the fault tests share: users and tasks to load the platform with, the pids sogoctl reports, a kill -9
// that waits for the supervisor to bring the service back, and the checks every fault phase applies.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import { expect } from 'vitest';
import type { Platform } from '../../helpers/platform.js';
import { HOST, waitFor } from '../../helpers/platform.js';
import { type Answer, describeAnswer, type LoadUser, type MixedLoad, startMixedLoad } from './mixed-load.js';

/** The gateway's timeout for each backend call (apps/sogoway/src/deps.ts DEFAULT_REQUEST_TIMEOUT_MS). */
export const REQUEST_TIMEOUT_MS = 5_000;
/** How long a client waits for any answer: the request timeout plus scheduling margin on a busy 2-core box. */
export const CLIENT_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 3_000;
/** After a kill, everything started this long after it must be served. */
export const RECOVERY_MS = 3_000;
export const PASSWORD = 'fault-password-1';

interface StatusRow {
  service: string;
  instance: number;
  pid: number | null;
  state: string;
  restarts: number;
}

export async function status(p: Platform): Promise<StatusRow[]> {
  return (await callOnce(join(p.runDir, 'sogoctl.sock'), 'status')) as StatusRow[];
}

export async function pidOf(p: Platform, service: string): Promise<number> {
  const row = (await status(p)).find((r) => r.service === service);
  if (!row?.pid) throw new Error(`${service} has no pid`);
  return row.pid;
}

/**
 * True once the process is gone, or its leader is a zombie with no thread left. A Node process has several
 * threads: the leader can show Z while its other threads are still exiting, and the open files (the listening
 * socket among them) are closed only when the last thread has left — until then the kernel accepts connections
 * that are then reset.
 */
function dead(pid: number): boolean {
  try {
    const zombie = / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, ''));
    return zombie && readdirSync(`/proc/${pid}/task`).length <= 1;
  } catch {
    return true;
  }
}

/**
 * kill -9 of a service. `at` is when the signal was sent; `deadAt` when the process was seen gone — until then
 * the kernel may still accept connections on its listening socket, which are then reset.
 */
export async function killService(
  p: Platform,
  service: string,
): Promise<{ at: number; deadAt: number; pid: number }> {
  const pid = await pidOf(p, service);
  process.kill(pid, 'SIGKILL');
  const at = Date.now();
  while (!dead(pid)) await sleep(1);
  return { at, deadAt: Date.now(), pid };
}

/** Waits until sogoctl reports the service healthy again under a new pid. */
export async function waitHealthyAgain(p: Platform, service: string, oldPid: number): Promise<number> {
  return waitFor(
    async () => {
      const row = (await status(p)).find((r) => r.service === service);
      return row && row.state === 'healthy' && row.pid !== null && row.pid !== oldPid ? row.pid : undefined;
    },
    15_000,
    `${service} to be restarted`,
  );
}

/** Registers users, each with a few tasks, and returns what the load needs. */
export async function seedUsers(p: Platform, count: number, tasksEach: number): Promise<LoadUser[]> {
  const users: LoadUser[] = [];
  for (let i = 0; i < count; i++) {
    const email = `fault${i}-${Date.now()}@example.com`;
    const res = await p.request('POST', '/api/auth/register', {
      body: { email, password: PASSWORD, name: `Fault ${i}` },
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    const token = (res.body.data as { token: string }).token;
    const taskIds: number[] = [];
    for (let k = 0; k < tasksEach; k++) {
      const created = await p.request('POST', '/api/tasks', { token, body: { title: `seed ${k}` } });
      taskIds.push((created.body.data as { insert_id: number }).insert_id);
    }
    users.push({ token, email, password: PASSWORD, taskIds });
  }
  return users;
}

/** The steady mixed load every fault phase runs: the given users, a request every 5 ms per worker. */
export function loadOn(p: Platform, users: LoadUser[]): MixedLoad {
  return startMixedLoad({ port: p.port, host: HOST, users, timeoutMs: CLIENT_TIMEOUT_MS, pauseMs: 5 });
}

/**
 * The checks after MariaDB was away from downAt to upAt: every answer in the envelope (2xx or 503) within the
 * client timeout, and everything started RECOVERY_MS after upAt served.
 */
export function checkOutage(answers: Answer[], downAt: number, upAt: number): void {
  expect(unexpected(answers, downAt, servedOr503), 'neither 2xx nor a 503 envelope').toEqual([]);
  const late = answers.filter((a) => a.start >= upAt + RECOVERY_MS);
  expect(late.length, 'requests after the recovery window').toBeGreaterThan(10);
  expect(unexpected(late, downAt, served), `not served ${RECOVERY_MS} ms after MariaDB is back`).toEqual([]);
}

/** Lines that are not JSON objects, then failures of answers against what a backend fault may cause. */
export function unexpected(answers: Answer[], t0: number, allowed: (a: Answer) => boolean): string[] {
  return answers.filter((a) => !allowed(a)).map((a) => describeAnswer(a, t0));
}

/** An answer in the JSON envelope: 2xx, or 503 SERVICE_UNAVAILABLE, within the client timeout. */
export function servedOr503(a: Answer): boolean {
  if (a.error || a.status === undefined || !a.envelope) return false;
  if (a.end - a.start > CLIENT_TIMEOUT_MS) return false;
  return (a.status >= 200 && a.status < 300) || (a.status === 503 && a.code === 'SERVICE_UNAVAILABLE');
}

export const served = (a: Answer): boolean =>
  !a.error && a.envelope && a.status !== undefined && a.status < 300;

/** Every insert answered 201 whose row is missing from the database. */
export async function lostInserts(p: Platform, answers: Answer[]): Promise<number[]> {
  const ids = answers.filter((a) => a.op === 'create' && a.status === 201).map((a) => a.insertId!);
  if (ids.length === 0) return [];
  const rows = await p.rows(`SELECT id FROM tasks WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
  const found = new Set(rows.map((r) => Number(r.id)));
  return ids.filter((id) => !found.has(id));
}

/** Every line of the app's event files, parsed; lines that are not JSON are returned apart. */
export function eventLines(
  logDir: string,
  app = 'prokov',
): { records: Record<string, unknown>[]; broken: string[] } {
  const records: Record<string, unknown>[] = [];
  const broken: string[] = [];
  for (const name of readdirSync(logDir)) {
    if (!name.startsWith(`${app}-`) || !name.endsWith('-events.log')) continue;
    for (const line of readFileSync(join(logDir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        broken.push(line.slice(0, 200));
      }
    }
  }
  return { records, broken };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
