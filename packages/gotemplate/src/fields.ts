import type { Expr, Node, Template } from './ast.js';

/**
 * Top-level data names a template reads: `.X...` outside any range/with, and `$.X...` anywhere, in order of
 * first appearance. Used to check that callers pass what a template needs.
 */
export function templateFields(t: Template): string[] {
  const names = new Set<string>();
  const expr = (e: Expr, atRoot: boolean): void => {
    if (e.kind === 'field') {
      if ((e.from === 'root' || atRoot) && e.path[0] !== undefined) names.add(e.path[0]);
    } else if (e.kind === 'call') {
      for (const a of e.args) expr(a, atRoot);
    } else if (e.kind === 'pipeline') {
      for (const s of e.stages) expr(s, atRoot);
    }
  };
  const walk = (nodes: readonly Node[], atRoot: boolean): void => {
    for (const n of nodes) {
      if (n.kind === 'print') expr(n.expr, atRoot);
      else if (n.kind === 'if') {
        for (const b of n.branches) {
          expr(b.cond, atRoot);
          walk(b.body, atRoot);
        }
        if (n.otherwise) walk(n.otherwise, atRoot);
      } else if (n.kind === 'range' || n.kind === 'with') {
        expr(n.expr, atRoot);
        walk(n.body, false);
        if (n.otherwise) walk(n.otherwise, atRoot);
      }
    }
  };
  walk(t.nodes, true);
  return [...names];
}
