// The parsed form of a template. Immutable once built; rendering walks it.

/** An operand or a call; `text` is the source spelling, used in error messages. */
export type Expr =
  | { kind: 'field'; from: 'dot' | 'root'; path: readonly string[]; text: string; pos: number }
  | { kind: 'literal'; value: string | number | boolean | null; pos: number }
  | { kind: 'call'; fn: string; args: readonly Expr[]; pos: number }
  | { kind: 'pipeline'; stages: readonly Expr[]; pos: number };

export type Node =
  | { kind: 'text'; value: string }
  | { kind: 'print'; expr: Expr; pos: number }
  | {
      kind: 'if';
      branches: ReadonlyArray<{ cond: Expr; body: readonly Node[] }>;
      otherwise?: readonly Node[];
    }
  | { kind: 'range' | 'with'; expr: Expr; body: readonly Node[]; otherwise?: readonly Node[] };

/** A parsed template: parse once with parseTemplate, render many times. */
export interface Template {
  readonly source: string;
  readonly nodes: readonly Node[];
}
