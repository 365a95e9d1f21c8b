// The `sogoctl status` table, built from the rows the control socket's `status` action returns.
import type { LastExit } from './instance.js';
import type { StatusRow } from './supervisor.js';

const HEADERS = [
  'SERVICE',
  'INSTANCE',
  'PID',
  'STATE',
  'VERSION',
  'CONFIG',
  'ADDRESS',
  'UPTIME',
  'RESTARTS',
  'LAST EXIT',
];
const CONFIG_COLUMN = HEADERS.indexOf('CONFIG');
const VERSION_COLUMN = HEADERS.indexOf('VERSION');
const ADDRESS_COLUMN = HEADERS.indexOf('ADDRESS');

/**
 * A plain-text table, one line per instance, columns padded to their widest cell; then, for each instance
 * serving its last good configuration, why (the problems of the config files, as its health answer gives them),
 * and for each instance whose health answer says something is wrong behind it (a degraded backend, saturated
 * MariaDB connections), what.
 * The CONFIG column is left out when no process reports its configuration (services other than sogoms ones),
 * VERSION when none gave its version, ADDRESS when no service is checked over HTTP (the gateway is).
 */
export function formatStatusTable(rows: readonly StatusRow[], now = Date.now()): string {
  const shown = new Map([
    [CONFIG_COLUMN, rows.some((r) => r.config?.state)],
    [VERSION_COLUMN, rows.some((r) => r.version)],
    [ADDRESS_COLUMN, rows.some((r) => r.address)],
  ]);
  const keep = (_: string, col: number) => shown.get(col) ?? true;
  const headers = HEADERS.filter(keep);
  const cells = rows.map((r) =>
    [
      r.service,
      String(r.instance),
      r.pid === null ? '-' : String(r.pid),
      r.state === 'fatal' ? 'FATAL' : r.state,
      r.version || '-',
      formatConfig(r),
      r.address || '-',
      formatUptime(r.uptime_s),
      String(r.restarts),
      formatLastExit(r.last_exit, now),
    ].filter(keep),
  );
  const widths = headers.map((h, col) => Math.max(h.length, ...cells.map((c) => c[col]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((cell, col) => (col === c.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd();
  const notes = rows
    .filter((r) => r.config?.state === 'last-good')
    .flatMap((r) => [
      '',
      `${r.service} ${r.instance}: serving its LAST GOOD configuration (saved ${r.config?.saved_at ?? '?'}): the config files are invalid`,
      ...(r.config?.problems ?? []).map((p) => `  ${p}`),
    ]);
  const degraded = rows
    .filter((r) => (r.notes?.length ?? 0) > 0)
    .flatMap((r) => [
      '',
      `${r.service} ${r.instance}: serving, degraded behind it:`,
      ...r.notes!.map((n) => `  ${n}`),
    ]);
  return [line(headers), ...cells.map(line), ...notes, ...degraded].join('\n');
}

/** "live", "LAST-GOOD" (the files are invalid), or "-" when the process has not said. */
export function formatConfig(row: StatusRow): string {
  const state = row.config?.state;
  if (!state) return '-';
  return state === 'last-good' ? 'LAST-GOOD' : state;
}

/** 42s, 3m05s, 2h07m, 4d03h; "-" when nothing runs. */
export function formatUptime(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** "code 1, 5s ago", "signal SIGKILL, 2m10s ago", "spawn ENOENT …"; "-" when it never exited. */
export function formatLastExit(exit: LastExit | null, now = Date.now()): string {
  if (!exit) return '-';
  const how = exit.error ?? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`);
  const at = Date.parse(exit.at);
  const when = Number.isNaN(at) ? how : `${how}, ${formatUptime((now - at) / 1000)} ago`;
  return exit.reason ? `${when}: ${exit.reason}` : when;
}

/** Checks that an answer from the control socket looks like status rows before printing it. */
export function asStatusRows(value: unknown): StatusRow[] {
  if (!Array.isArray(value)) throw new Error('unexpected answer to status: not a list');
  return value.map((row) => {
    if (row === null || typeof row !== 'object' || typeof (row as StatusRow).service !== 'string') {
      throw new Error('unexpected answer to status: bad row');
    }
    return row as StatusRow;
  });
}
