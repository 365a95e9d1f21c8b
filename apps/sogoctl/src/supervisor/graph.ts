// Dependency relations between services. The config loader already rejects unknown dependencies and cycles;
// these helpers only answer "what must be up before X" and "what must be down before X".

export interface GraphNode {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/** For each service, the services that depend on it directly (its dependents). */
export function dependentsOf(nodes: readonly GraphNode[]): Map<string, string[]> {
  const out = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const n of nodes) for (const dep of n.dependsOn) out.get(dep)?.push(n.name);
  return out;
}

/** Every service that depends on `name`, directly or through others, in breadth-first order. */
export function transitiveDependents(nodes: readonly GraphNode[], name: string): string[] {
  const direct = dependentsOf(nodes);
  const seen = new Set<string>();
  const queue = [...(direct.get(name) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next) || next === name) continue;
    seen.add(next);
    queue.push(...(direct.get(next) ?? []));
  }
  return [...seen];
}
