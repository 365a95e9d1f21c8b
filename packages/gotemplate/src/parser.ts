import type { Expr, Node, Template } from './ast.js';
import { syntaxError } from './errors.js';
import { FUNCTION_NAMES } from './functions.js';
import { type ActionToken, type Item, lex } from './lexer.js';

const UNSUPPORTED = new Set(['define', 'template', 'block', 'break', 'continue']);

type Stop = { keyword: 'end' | 'else'; item: Extract<Item, { kind: 'action' }> };

class Parser {
  private index = 0;

  constructor(
    private readonly src: string,
    private readonly items: Item[],
  ) {}

  /** Parses nodes until an `{{end}}`/`{{else}}` that `allowed` accepts, or the end of the template. */
  list(
    allowed: ReadonlySet<'end' | 'else'>,
    opener?: { name: string; pos: number },
  ): { nodes: Node[]; stop?: Stop } {
    const nodes: Node[] = [];
    while (this.index < this.items.length) {
      const item = this.items[this.index++]!;
      if (item.kind === 'text') {
        nodes.push({ kind: 'text', value: item.value });
        continue;
      }
      const first = item.tokens[0];
      const keyword = first?.type === 'ident' ? String(first.value) : '';
      if (keyword === 'end' || keyword === 'else') {
        if (!allowed.has(keyword)) syntaxError(this.src, item.pos, `unexpected {{${keyword}}}`);
        return { nodes, stop: { keyword, item } };
      }
      if (keyword === 'if') nodes.push(this.ifNode(item));
      else if (keyword === 'range' || keyword === 'with') nodes.push(this.blockNode(keyword, item));
      else if (UNSUPPORTED.has(keyword)) syntaxError(this.src, item.pos, `{{${keyword}}} is not supported`);
      else nodes.push({ kind: 'print', expr: this.pipeline(item.tokens, item.pos), pos: item.pos });
    }
    if (opener) syntaxError(this.src, opener.pos, `unclosed {{${opener.name}}}: missing {{end}}`);
    return { nodes };
  }

  private ifNode(item: Extract<Item, { kind: 'action' }>): Node {
    const branches: Array<{ cond: Expr; body: Node[] }> = [];
    let cond = this.pipeline(item.tokens.slice(1), item.pos);
    for (;;) {
      const { nodes, stop } = this.list(new Set(['end', 'else']), { name: 'if', pos: item.pos });
      branches.push({ cond, body: nodes });
      if (stop?.keyword === 'end') {
        this.noArguments(stop);
        return { kind: 'if', branches };
      }
      const rest = stop!.item.tokens.slice(1);
      if (rest[0]?.type === 'ident' && rest[0].value === 'if') {
        cond = this.pipeline(rest.slice(1), stop!.item.pos);
        continue;
      }
      this.noArguments(stop!);
      return { kind: 'if', branches, otherwise: this.closingElse('if', item.pos) };
    }
  }

  private blockNode(keyword: 'range' | 'with', item: Extract<Item, { kind: 'action' }>): Node {
    const expr = this.pipeline(item.tokens.slice(1), item.pos);
    const { nodes, stop } = this.list(new Set(['end', 'else']), { name: keyword, pos: item.pos });
    this.noArguments(stop!);
    if (stop!.keyword === 'end') return { kind: keyword, expr, body: nodes };
    return { kind: keyword, expr, body: nodes, otherwise: this.closingElse(keyword, item.pos) };
  }

  /** Parses the body after a plain `{{else}}`, up to the `{{end}}` that closes the block. */
  private closingElse(name: string, pos: number): Node[] {
    const { nodes, stop } = this.list(new Set(['end']), { name, pos });
    this.noArguments(stop!);
    return nodes;
  }

  private noArguments(stop: Stop): void {
    const extra = stop.item.tokens[1];
    if (extra) syntaxError(this.src, extra.pos, `unexpected ${extra.text} in {{${stop.keyword}}}`);
  }

  /** `cmd | cmd | ...`; each later stage must be a function call and receives the previous result last. */
  pipeline(tokens: readonly ActionToken[], pos: number): Expr {
    if (tokens.length === 0) syntaxError(this.src, pos, 'missing value in action');
    const stages: Expr[] = [];
    let depth = 0;
    let start = 0;
    tokens.forEach((t, k) => {
      if (t.type === 'lparen') depth++;
      else if (t.type === 'rparen') depth--;
      if (depth < 0) syntaxError(this.src, t.pos, 'unexpected )');
      if (t.type === 'pipe' && depth === 0) {
        stages.push(this.command(tokens.slice(start, k), t.pos));
        start = k + 1;
      }
    });
    if (depth !== 0) syntaxError(this.src, pos, 'unclosed (');
    stages.push(this.command(tokens.slice(start), tokens.at(-1)!.pos));
    stages.slice(1).forEach((s) => {
      if (s.kind !== 'call') syntaxError(this.src, s.pos, 'only a function can follow | in a pipeline');
    });
    return stages.length === 1 ? stages[0]! : { kind: 'pipeline', stages, pos: tokens[0]!.pos };
  }

  private command(tokens: readonly ActionToken[], pos: number): Expr {
    const first = tokens[0];
    if (!first) return syntaxError(this.src, pos, 'missing command');
    if (first.type === 'ident' && FUNCTION_NAMES.has(String(first.value))) {
      const args: Expr[] = [];
      let k = 1;
      while (k < tokens.length) {
        const [arg, next] = this.operand(tokens, k);
        args.push(arg);
        k = next;
      }
      return { kind: 'call', fn: String(first.value), args, pos: first.pos };
    }
    const [expr, next] = this.operand(tokens, 0);
    const extra = tokens[next];
    if (extra) syntaxError(this.src, extra.pos, `can't give argument ${extra.text} to a non-function`);
    return expr;
  }

  private operand(tokens: readonly ActionToken[], k: number): [Expr, number] {
    const t = tokens[k]!;
    switch (t.type) {
      case 'dot':
      case 'field':
      case 'root':
        return [
          {
            kind: 'field',
            from: t.type === 'root' ? 'root' : 'dot',
            path: t.path!,
            text: t.text,
            pos: t.pos,
          },
          k + 1,
        ];
      case 'string':
      case 'number':
        return [{ kind: 'literal', value: t.value!, pos: t.pos }, k + 1];
      case 'lparen': {
        let depth = 0;
        for (let j = k; j < tokens.length; j++) {
          if (tokens[j]!.type === 'lparen') depth++;
          if (tokens[j]!.type === 'rparen' && --depth === 0) {
            return [this.pipeline(tokens.slice(k + 1, j), t.pos), j + 1];
          }
        }
        return syntaxError(this.src, t.pos, 'unclosed (');
      }
      case 'ident': {
        const name = String(t.value);
        if (name === 'true' || name === 'false')
          return [{ kind: 'literal', value: name === 'true', pos: t.pos }, k + 1];
        if (name === 'nil') return [{ kind: 'literal', value: null, pos: t.pos }, k + 1];
        if (FUNCTION_NAMES.has(name)) {
          return syntaxError(this.src, t.pos, `function ${name} as an argument needs parentheses`);
        }
        return syntaxError(this.src, t.pos, `unknown keyword or function "${name}"`);
      }
      default:
        return syntaxError(this.src, t.pos, `unexpected ${t.text}`);
    }
  }
}

/** Parses a Go text/template source (the subset documented in DOCTECH.md); throws TemplateSyntaxError. */
export function parseTemplate(source: string): Template {
  const parser = new Parser(source, lex(source));
  const { nodes } = parser.list(new Set());
  return Object.freeze({ source, nodes });
}
