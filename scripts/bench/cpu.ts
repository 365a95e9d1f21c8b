// What the processes taking part in a run spent: CPU time (user + system, /proc/<pid>/stat), read and write
// system calls (/proc/<pid>/io) and context switches (/proc/<pid>/status), so that the cost of a request can
// be split between load generator, gateway, db service, MariaDB and baseline however busy the machine is.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ (getconf CLK_TCK)

export interface Usage {
  cpuS: number;
  reads: number;
  writes: number;
  switches: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by a process, or NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return Number.NaN;
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S; // utime, stime
}

/** Everything counted so far for a process (NaN fields when it is gone or unreadable). */
export function usage(pid: number): Usage {
  const io = read(`/proc/${pid}/io`) ?? '';
  const status = read(`/proc/${pid}/status`) ?? '';
  const field = (text: string, name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    cpuS: cpuSeconds(pid),
    reads: field(io, 'syscr'),
    writes: field(io, 'syscw'),
    switches: field(status, 'voluntary_ctxt_switches') + field(status, 'nonvoluntary_ctxt_switches'),
  };
}

/** The local MariaDB server's pid, when it runs on this machine. */
export function findMariadbPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = read(`/proc/${entry}/comm`)?.trim();
    if (comm === 'mariadbd' || comm === 'mysqld') return Number(entry);
  }
  return undefined;
}

export type CpuSnapshot = Map<string, Usage>;

/** Usage of each named process; `load generator` is this process. */
export function snapshot(pids: ReadonlyMap<string, number>): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [name, pid] of pids) out.set(name, usage(pid));
  out.set('load generator', usage(process.pid));
  return out;
}

/** Per-process usage between two snapshots. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [name, a] of after) {
    const b = before.get(name);
    out.set(name, {
      cpuS: a.cpuS - (b?.cpuS ?? Number.NaN),
      reads: a.reads - (b?.reads ?? Number.NaN),
      writes: a.writes - (b?.writes ?? Number.NaN),
      switches: a.switches - (b?.switches ?? Number.NaN),
    });
  }
  return out;
}
