// Resident memory of every platform process, from /proc/<pid>/status (VmRSS), with the pids sogoctl reports
// over its control socket (the bin/ launchers exec node, so the pid is the Node process itself).
import { readFileSync } from 'node:fs';
import { callOnce } from '@sogoms/protocol';

export interface ProcessRss {
  name: string;
  pid: number;
  rssMb: number;
}

/** VmRSS of a process in MiB, or NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Every instance sogoctl supervises, plus sogoctl itself. */
export async function platformRss(controlSocket: string, sogoctlPid: number): Promise<ProcessRss[]> {
  const rows = (await callOnce(controlSocket, 'status')) as Array<{
    service: string;
    instance: number;
    pid: number | null;
  }>;
  const out: ProcessRss[] = [{ name: 'sogoctl', pid: sogoctlPid, rssMb: rssMb(sogoctlPid) }];
  for (const row of rows) {
    if (row.pid === null) continue;
    const name =
      rows.filter((r) => r.service === row.service).length > 1
        ? `${row.service}.${row.instance}`
        : row.service;
    out.push({ name, pid: row.pid, rssMb: rssMb(row.pid) });
  }
  return out;
}
