// Health checks: a socket check asks the service for the protocol `health` action, a URL check expects a 2xx.
// Any success answer to `health` counts as healthy: the process is alive and serving, and a degraded backend
// (say, MariaDB down behind sogoms-db) is not something restarting the process would cure.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { callOnce, SogomsError } from '@sogoms/protocol';

export interface HealthResult {
  ok: boolean;
  detail?: string;
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
    await callOnce(socketPath, 'health', {}, timeoutMs);
    return { ok: true };
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
        res.resume();
        const status = res.statusCode ?? 0;
        done(status >= 200 && status < 300 ? { ok: true } : { ok: false, detail: `HTTP ${status}` });
        res.on('error', () => {});
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
