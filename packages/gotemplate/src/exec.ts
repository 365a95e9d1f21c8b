import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { Expr, Node, Template } from './ast.js';
import { callFunction } from './builtins.js';
import { positionOf } from './errors.js';
import { escapeHtml, isTruthy, lookupKey, printValue, rangeItems } from './values.js';

export interface RenderOptions {
  /** Escape & < > " ' in every printed value (template text itself is emitted as written). */
  html?: boolean;
}

interface Scope {
  dot: unknown;
  root: unknown;
}

/** Walks a parsed template; throws SogomsError(TEMPLATE_ERROR) on the first problem, so output is never partial. */
export function execute(t: Template, data: unknown, opts: RenderOptions): string {
  const out: string[] = [];
  const ex = new Executor(t.source, opts.html === true, out);
  ex.nodes(t.nodes, { dot: data, root: data });
  return out.join('');
}

class Executor {
  constructor(
    private readonly src: string,
    private readonly html: boolean,
    private readonly out: string[],
  ) {}

  nodes(list: readonly Node[], scope: Scope): void {
    for (const node of list) this.node(node, scope);
  }

  private node(node: Node, scope: Scope): void {
    switch (node.kind) {
      case 'text':
        this.out.push(node.value);
        return;
      case 'print': {
        const s = printValue(this.eval(node.expr, scope));
        this.out.push(this.html ? escapeHtml(s) : s);
        return;
      }
      case 'if': {
        for (const b of node.branches) {
          if (isTruthy(this.eval(b.cond, scope))) {
            this.nodes(b.body, scope);
            return;
          }
        }
        if (node.otherwise) this.nodes(node.otherwise, scope);
        return;
      }
      case 'with': {
        const v = this.eval(node.expr, scope);
        if (isTruthy(v)) this.nodes(node.body, { dot: v, root: scope.root });
        else if (node.otherwise) this.nodes(node.otherwise, scope);
        return;
      }
      case 'range': {
        const v = this.eval(node.expr, scope);
        // Like Go, ranging over nil runs the else branch instead of failing.
        const items = v === null || v === undefined ? [] : rangeItems(v);
        if (items === undefined) this.fail(node.expr.pos, `range can't iterate over ${printValue(v)}`);
        for (const item of items) this.nodes(node.body, { dot: item, root: scope.root });
        if (items.length === 0 && node.otherwise) this.nodes(node.otherwise, scope);
        return;
      }
    }
  }

  eval(expr: Expr, scope: Scope, piped?: { value: unknown }): unknown {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'field':
        return this.field(expr, expr.from === 'root' ? scope.root : scope.dot);
      case 'call': {
        const args = expr.args.map((a) => () => this.eval(a, scope));
        if (piped) args.push(() => piped.value);
        try {
          return callFunction(expr.fn, args);
        } catch (err) {
          if (err instanceof SogomsError) throw err;
          return this.fail(expr.pos, `${expr.fn}: ${(err as Error).message}`);
        }
      }
      case 'pipeline': {
        let value = this.eval(expr.stages[0]!, scope);
        for (const stage of expr.stages.slice(1)) value = this.eval(stage, scope, { value });
        return value;
      }
    }
  }

  /** Strict lookup (Go's missingkey=error): an absent key fails; a present null/false/'' is a value. */
  private field(expr: Extract<Expr, { kind: 'field' }>, start: unknown): unknown {
    let v = start;
    let walked = expr.from === 'root' ? '$' : '';
    for (const key of expr.path) {
      const where = walked;
      walked += `.${key}`;
      const { found, value } = lookupKey(v, key);
      if (found) {
        v = value;
        continue;
      }
      const field = expr.text;
      if (v === null || v === undefined) {
        throw new SogomsError(ErrorCode.TEMPLATE_ERROR, `missing field ${field} (${where || '.'} is null)`, {
          field,
        });
      }
      if (typeof v !== 'object' || Array.isArray(v)) {
        throw new SogomsError(
          ErrorCode.TEMPLATE_ERROR,
          `can't evaluate field ${key} of ${where || '.'} in ${field}`,
          {
            field,
          },
        );
      }
      throw new SogomsError(ErrorCode.TEMPLATE_ERROR, `missing field ${field}`, { field });
    }
    return v;
  }

  private fail(pos: number, message: string): never {
    const { line, column } = positionOf(this.src, pos);
    throw new SogomsError(ErrorCode.TEMPLATE_ERROR, `line ${line}, column ${column}: ${message}`, {
      line,
      column,
    });
  }
}
