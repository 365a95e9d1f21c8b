// A description of the machine the benchmark ran on, for docs/BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export function describeMachine(mariadbVersion: string): Record<string, string> {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: keep "unknown"
  }
  return {
    CPUs: String(availableParallelism()),
    'CPU model': cpu,
    RAM: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    Node: process.version,
    MariaDB: mariadbVersion,
  };
}
