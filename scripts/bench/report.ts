// Tables printed by the benchmark: plain text for the terminal and the same rows as markdown for
// docs/BENCHMARKS.md.
import type { Measure } from './load.js';
import type { ProcessRss } from './memory.js';

export interface ScenarioResult {
  name: string;
  platform: Measure;
  baseline: Measure;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function markdown(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join(
    '\n',
  );
}

const RESULT_HEADERS = [
  'scenario',
  'platform req/s',
  'p50 ms',
  'p99 ms',
  'baseline req/s',
  'p50 ms',
  'p99 ms',
  'ratio',
  'non-2xx/errors',
];

function resultRows(results: ScenarioResult[]): string[][] {
  const n = (v: number) => Math.round(v).toLocaleString('en');
  const ms = (v: number) => v.toFixed(v < 10 ? 1 : 0);
  return results.map((r) => [
    r.name,
    n(r.platform.reqPerS),
    ms(r.platform.p50),
    ms(r.platform.p99),
    n(r.baseline.reqPerS),
    ms(r.baseline.p50),
    ms(r.baseline.p99),
    `${(r.platform.reqPerS / r.baseline.reqPerS).toFixed(2)}×`,
    `${r.platform.notOk + r.platform.errors} / ${r.baseline.notOk + r.baseline.errors}`,
  ]);
}

/** CPU microseconds per served request, per process: where the work of a request goes. */
function cpuRows(results: ScenarioResult[]): { headers: string[]; rows: string[][] } {
  // Fixed order, from the client inwards; a process that did nothing measurable in any run is left out.
  const order = (name: string) =>
    ['load generator', 'sogoway', 'sogoms-db', 'sogoms-logs', 'sogoms-smtp', 'MariaDB', 'baseline'].findIndex(
      (prefix) => name.startsWith(prefix),
    );
  const perRequest = (m: Measure, name: string) => {
    const s = m.cpu.get(name)?.cpuS;
    return s && s > 0 && m.ok > 0 ? Math.round((s * 1e6) / m.ok) : 0;
  };
  const names = [...new Set(results.flatMap((r) => [...r.platform.cpu.keys(), ...r.baseline.cpu.keys()]))]
    .filter((n) => results.some((r) => perRequest(r.platform, n) >= 5 || perRequest(r.baseline, n) >= 5))
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const rows: string[][] = [];
  for (const r of results) {
    for (const [side, m] of [
      ['platform', r.platform],
      ['baseline', r.baseline],
    ] as const) {
      const cells = names.map((n) => perRequest(m, n));
      rows.push([
        `${r.name} (${side})`,
        ...cells.map((c) => (c ? String(c) : '-')),
        String(cells.reduce((a, b) => a + b, 0)),
      ]);
    }
  }
  return { headers: ['CPU µs per request', ...names, 'total'], rows };
}

/** Read / write system calls and context switches per served request, for the gateway and db service. */
function syscallRows(results: ScenarioResult[]): { headers: string[]; rows: string[][] } {
  // Node's sockets use read/write/writev, which /proc/<pid>/io counts; MariaDB's recv/send it does not.
  const names = ['sogoway', 'sogoms-db', 'baseline'];
  const rows: string[][] = [];
  for (const r of results) {
    for (const [side, m] of [
      ['platform', r.platform],
      ['baseline', r.baseline],
    ] as const) {
      const cells = names.map((n) => {
        const u = [...m.cpu.entries()].filter(([k]) => k.startsWith(n)).map(([, v]) => v);
        const sum = (f: (x: (typeof u)[number]) => number) =>
          u.reduce((a, x) => a + f(x), 0) / Math.max(1, m.ok);
        const total = sum((x) => x.reads + x.writes + x.switches);
        return !u.length || !(total > 0.05)
          ? '-'
          : `${sum((x) => x.reads).toFixed(1)}/${sum((x) => x.writes).toFixed(1)}/${sum((x) => x.switches).toFixed(1)}`;
      });
      rows.push([`${r.name} (${side})`, ...cells]);
    }
  }
  return { headers: ['reads/writes/switches per request', ...names], rows };
}

const RSS_HEADERS = ['process', 'idle RSS MiB', 'after load MiB'];

function rssRows(before: ProcessRss[], after: ProcessRss[]): string[][] {
  const mb = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(1));
  const rows = before.map((b) => [b.name, mb(b.rssMb), mb(after.find((a) => a.name === b.name)?.rssMb)]);
  const sum = (list: ProcessRss[]) => list.reduce((s, p) => s + (Number.isNaN(p.rssMb) ? 0 : p.rssMb), 0);
  rows.push([
    'total (platform)',
    mb(sum(before.filter((p) => p.name !== 'baseline'))),
    mb(sum(after.filter((p) => p.name !== 'baseline'))),
  ]);
  return rows;
}

export function textReport(results: ScenarioResult[], before: ProcessRss[], after: ProcessRss[]): string {
  const cpu = cpuRows(results);
  return [
    table(RESULT_HEADERS, resultRows(results)),
    table(cpu.headers, cpu.rows),
    table(syscallRows(results).headers, syscallRows(results).rows),
    table(RSS_HEADERS, rssRows(before, after)),
  ].join('\n\n');
}

export function markdownReport(
  results: ScenarioResult[],
  before: ProcessRss[],
  after: ProcessRss[],
  machine: Record<string, string>,
  settings: string,
): string {
  const machineRows = Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`);
  return [
    `Machine:\n${machineRows.join('\n')}`,
    `Settings: ${settings}`,
    markdown(RESULT_HEADERS, resultRows(results)),
    markdown(cpuRows(results).headers, cpuRows(results).rows),
    markdown(syscallRows(results).headers, syscallRows(results).rows),
    markdown(RSS_HEADERS, rssRows(before, after)),
  ].join('\n\n');
}
