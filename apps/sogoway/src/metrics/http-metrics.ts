// Prometheus metrics of the gateway: one request counter and one latency histogram, labelled by app, resource,
// method and status class. Every label takes a bounded set of values (configured app and resource names,
// fixed words otherwise), so a client cannot grow the series by calling made-up URLs.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { pathUnder } from '../router.js';

/** Latency buckets in seconds: a list from SQLite answers in under a millisecond, a bcrypt login in ~100 ms. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['app', 'resource', 'method', 'status_class'] as const;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Label value when a request has no app (unknown Host, /health) or no configured resource. */
const NONE = '-';
const OTHER = 'other';

/** The label values of one answered request. */
export function requestLabels(
  request: FastifyRequest,
  status: number,
): Record<(typeof LABELS)[number], string> {
  const method = METHODS.has(request.method) ? request.method : OTHER;
  const statusClass = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : OTHER;
  const ctx = request.sogo;
  if (!ctx) {
    const resource = request.routeOptions.url === '/health' ? 'health' : NONE;
    return { app: NONE, resource, method, status_class: statusClass };
  }
  return { app: ctx.app.app, resource: resourceOf(ctx.app, request.url), method, status_class: statusClass };
}

function resourceOf(
  app: { basePath: string; resources: Readonly<Record<string, unknown>> },
  url: string,
): string {
  const rest = pathUnder(app.basePath, url);
  if (!rest) return OTHER;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? rest : rest.slice(0, slash);
  if (first === 'auth' || first === 'realtime') return first;
  return Object.hasOwn(app.resources, first) ? first : OTHER;
}

export interface GatewayMetricsOptions {
  /** prom-client's process and Node.js metrics (process_*, nodejs_*); default true. Off in unit tests. */
  processMetrics?: boolean;
}

/** One series: its rendered labels, request count, latency sum and per-bucket counts (last one: +Inf). */
interface Cell {
  labels: string;
  count: number;
  sum: number;
  buckets: Float64Array;
}

const REQUESTS = 'sogoway_http_requests_total';
const DURATION = 'sogoway_http_request_duration_seconds';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * The gateway's metrics; `observe` is called once per answered request (gateway.ts onResponse hook). The two
 * request families are kept in plain cells and rendered by hand: prom-client's labelled inc/observe cost
 * several µs per request (label validation and hashing), too much on the hot path. Its registry still
 * supplies the process and Node.js metrics.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly cells = new Map<string, Cell>();

  constructor(opts: GatewayMetricsOptions = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  observe(request: FastifyRequest, reply: FastifyReply): void {
    const l = requestLabels(request, reply.statusCode);
    const key = `${l.app}\n${l.resource}\n${l.method}\n${l.status_class}`;
    let cell = this.cells.get(key);
    if (!cell) {
      const labels = LABELS.map((name) => `${name}="${escapeLabel(l[name])}"`).join(',');
      cell = { labels, count: 0, sum: 0, buckets: new Float64Array(LATENCY_BUCKETS.length + 1) };
      this.cells.set(key, cell);
    }
    const seconds = reply.elapsedTime / 1000;
    cell.count++;
    cell.sum += seconds;
    let b = 0;
    while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]!) b++;
    cell.buckets[b]!++;
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<string> {
    const cells = [...this.cells.values()];
    const lines = [
      `# HELP ${REQUESTS} HTTP requests answered by the gateway.`,
      `# TYPE ${REQUESTS} counter`,
      ...cells.map((c) => `${REQUESTS}{${c.labels}} ${c.count}`),
      `# HELP ${DURATION} Time from the request reaching the gateway to its answer being sent, in seconds.`,
      `# TYPE ${DURATION} histogram`,
    ];
    for (const c of cells) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += c.buckets[i]!;
        lines.push(`${DURATION}_bucket{le="${le}",${c.labels}} ${cumulative}`);
      });
      lines.push(`${DURATION}_bucket{le="+Inf",${c.labels}} ${c.count}`);
      lines.push(`${DURATION}_sum{${c.labels}} ${c.sum}`, `${DURATION}_count{${c.labels}} ${c.count}`);
    }
    return `${lines.join('\n')}\n\n${await this.registry.metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
