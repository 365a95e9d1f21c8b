import { child, type FileReport, index } from './errors.js';
import type { ServiceSpec } from './types.js';

/** Reports depends_on entries naming no service, and every dependency cycle ("a → b → a"), once each. */
export function checkDependencies(services: readonly ServiceSpec[], report: FileReport): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    s.dependsOn.forEach((dep, i) => {
      if (!byName.has(dep)) {
        const path = index(child(child('services', s.name), 'depends_on'), i);
        report.add(path, `unknown service ${report.quote(path, dep)}`);
      }
    });
  }
  const seen = new Set<string>();
  for (const cycle of findCycles(services, byName)) {
    // Rotate so the same cycle found from another start reads the same and is reported once.
    const start = cycle.indexOf([...cycle].sort()[0]!);
    const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
    const key = rotated.join('\0');
    if (seen.has(key)) continue;
    seen.add(key);
    report.add(
      child(child('services', rotated[0]!), 'depends_on'),
      `dependency cycle: ${[...rotated, rotated[0]].join(' → ')}`,
    );
  }
}

function findCycles(services: readonly ServiceSpec[], byName: Map<string, ServiceSpec>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (name: string): void => {
    state.set(name, 'open');
    stack.push(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'open') cycles.push(stack.slice(stack.indexOf(dep)));
      else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const s of services) if (!state.has(s.name)) visit(s.name);
  return cycles;
}

/**
 * Service names in a start order where every service comes after what it depends on (file order otherwise).
 * Assumes a validated config (no unknown dependency, no cycle).
 */
export function startOrder(services: readonly ServiceSpec[]): string[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: Set<string>): void => {
    if (placed.has(name) || path.has(name)) return;
    path.add(name);
    for (const dep of byName.get(name)?.dependsOn ?? []) place(dep, path);
    placed.add(name);
    order.push(name);
  };
  for (const s of services) place(s.name, new Set());
  return order;
}
