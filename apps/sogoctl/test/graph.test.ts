import { describe, expect, it } from 'vitest';
import { dependentsOf, transitiveDependents } from '../src/supervisor/graph.js';

const nodes = [
  { name: 'logs', dependsOn: [] },
  { name: 'db', dependsOn: ['logs'] },
  { name: 'smtp', dependsOn: ['logs'] },
  { name: 'gateway', dependsOn: ['db', 'logs', 'smtp'] },
];

describe('dependency graph', () => {
  it('lists the direct dependents of each service', () => {
    const d = dependentsOf(nodes);
    expect(d.get('logs')).toEqual(['db', 'smtp', 'gateway']);
    expect(d.get('db')).toEqual(['gateway']);
    expect(d.get('gateway')).toEqual([]);
  });

  it('lists everything that depends on a service, directly or not', () => {
    expect(transitiveDependents(nodes, 'logs').sort()).toEqual(['db', 'gateway', 'smtp']);
    expect(transitiveDependents(nodes, 'gateway')).toEqual([]);
  });
});
