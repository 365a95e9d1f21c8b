// Health checks: a socket check asks the service for the protocol `health` action, a URL check expects a 2xx.
// Any success answer to `health` counts as healthy: the process is alive and serving, and a degraded backend
// (say, MariaDB down behind sogoms-db) is not something restarting the process would cure.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { callOnce, SogomsError } from '@sogoms/protocol';

export interface HealthResult {
  ok: boolean;
  detail?: string;
  /** Which configuration the service says it serves, when it says (`config` in its health answer). */
  config?: ConfigReport;
  /** The version the service gives in its health answer. */
  version?: string;
  /** What the answer says is wrong behind a serving process (a degraded backend, saturated connections). */
  notes?: string[];
}

/** A healthy result with what the answer says of the service (its config state and version). */
function healthyFrom(answer: unknown): HealthResult {
  const result: HealthResult = { ok: true };
  const config = configReport(answer);
  if (config) result.config = config;
  const version = (answer as { version?: unknown } | null)?.version;
  if (typeof version === 'string') result.version = version.slice(0, 40);
  const notes = healthNotes(answer);
  if (notes.length > 0) result.notes = notes;
  return result;
}

const MAX_NOTES = 5;
const MAX_NOTE_LENGTH = 200;
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * What a healthy process says is wrong behind it, in a line each: `status: degraded` with its `problems`
 * (sogoms-logs: an unwritable directory or file), services the gateway finds down or degraded, app databases
 * down, and MariaDB connections saturated (`connections` of sogoms-db, `db_connections` of the gateway). The
 * process stays healthy (a restart would cure none of these); `sogoctl status` shows them under its table.
 */
export function healthNotes(answer: unknown): string[] {
  if (typeof answer !== 'object' || answer === null) return [];
  const a = answer as Record<string, unknown>;
  const notes: string[] = [];
  if (Array.isArray(a.problems))
    for (const p of a.problems) {
      const { path, error } = (p ?? {}) as { path?: unknown; error?: unknown };
      if (typeof error === 'string') notes.push(`${error}${typeof path === 'string' ? ` on ${path}` : ''}`);
    }
  if (typeof a.services === 'object' && a.services !== null)
    for (const [name, state] of Object.entries(a.services))
      if (state === 'down' || state === 'degraded') notes.push(`${name}: ${state}`);
  const down = databasesDown(a);
  if (down > 0) notes.push(`${down} app database${down === 1 ? '' : 's'} down`);
  const saturation = connectionsNote(a.connections ?? a.db_connections);
  if (saturation) notes.push(saturation);
  if (notes.length === 0 && a.status === 'degraded') notes.push('degraded');
  return notes.slice(0, MAX_NOTES).map((n) => n.slice(0, MAX_NOTE_LENGTH));
}

/** `databases.down` of the gateway, or the apps sogoms-db reports `down`. */
function databasesDown(a: Record<string, unknown>): number {
  const databases = a.databases as { down?: unknown } | undefined;
  const fromGateway = count(databases?.down);
  if (fromGateway !== undefined) return fromGateway;
  if (typeof a.apps !== 'object' || a.apps === null) return 0;
  return Object.values(a.apps).filter((app) => (app as { status?: unknown } | null)?.status === 'down')
    .length;
}

function connectionsNote(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Record<string, unknown>;
  if (c.saturated !== true) return undefined;
  const part = (key: string, label: string) => (count(c[key]) ? `, ${c[key]} ${label}` : '');
  return (
    `MariaDB connections saturated: ${count(c.in_use) ?? '?'} of ${count(c.max) ?? '?'} in use` +
    `${part('waiting', 'waiting')}${part('refused', 'refused')}${part('wait_timeouts', 'wait timeouts')}`
  );
}

/** A service's configuration state: `live`, or `last-good` (the files are invalid) with when and why. */
export interface ConfigReport {
  state: string;
  saved_at?: string;
  problems?: string[];
}

/** Bytes of a health URL's body read to find its config state; a larger body is still healthy. */
const MAX_HEALTH_BODY = 64 * 1024;
const MAX_REPORTED_PROBLEMS = 10;

/** The `config` fields of a health answer (the protocol answer, or the `data` of the gateway's /health). */
export function configReport(answer: unknown): ConfigReport | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const a = answer as Record<string, unknown>;
  if (typeof a.config !== 'string') return undefined;
  const report: ConfigReport = { state: a.config.slice(0, 20) };
  if (typeof a.config_saved_at === 'string') report.saved_at = a.config_saved_at.slice(0, 40);
  if (Array.isArray(a.config_problems))
    report.problems = a.config_problems
      .filter((p): p is string => typeof p === 'string')
      .slice(0, MAX_REPORTED_PROBLEMS)
      .map((p) => p.slice(0, 500));
  return report;
}

/** One check with its own time limit; never rejects. */
export type HealthCheck = (timeoutMs: number) => Promise<HealthResult>;

/** Upper bound on one check's duration, whatever the interval. */
export const HEALTH_CHECK_TIMEOUT_MAX_MS = 2_000;

/** The check for one instance, or undefined when the service declares none (healthy once spawned). */
export function createHealthCheck(target: {
  healthSocket?: string;
  healthUrl?: string;
}): HealthCheck | undefined {
  const { healthSocket, healthUrl } = target;
  if (healthSocket !== undefined) return (timeoutMs) => checkSocket(healthSocket, timeoutMs);
  if (healthUrl !== undefined) return (timeoutMs) => checkUrl(healthUrl, timeoutMs);
  return undefined;
}

/** Sends `health` over the protocol socket. */
export async function checkSocket(socketPath: string, timeoutMs: number): Promise<HealthResult> {
  try {
    return healthyFrom(await callOnce(socketPath, 'health', {}, timeoutMs));
  } catch (err) {
    const detail = err instanceof SogomsError ? `${err.code}: ${err.message}` : String(err);
    return { ok: false, detail };
  }
}

/** GETs the URL without keep-alive; a 2xx within the timeout is healthy. */
export function checkUrl(url: string, timeoutMs: number): Promise<HealthResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: HealthResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    let req: ReturnType<typeof httpRequest>;
    try {
      req = request(url, { method: 'GET', agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        res.on('error', () => {});
        if (status < 200 || status >= 300) {
          res.resume();
          return done({ ok: false, detail: `HTTP ${status}` });
        }
        // Healthy already; the body (the gateway's {data: {config, …}}) only says which config it serves.
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_HEALTH_BODY) chunks.push(chunk);
        });
        res.on('end', () => {
          let data: unknown;
          try {
            data = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: unknown }).data;
          } catch {}
          done(healthyFrom(data));
        });
      });
    } catch (err) {
      resolve({ ok: false, detail: String(err) });
      return;
    }
    const timer = setTimeout(() => {
      done({ ok: false, detail: `no answer within ${timeoutMs}ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => done({ ok: false, detail: err.message }));
    req.end();
  });
}
