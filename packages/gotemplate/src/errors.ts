import { ErrorCode, SogomsError } from '@sogoms/protocol';

/** A template that cannot be parsed; carries the 1-based line and column of the problem. */
export class TemplateSyntaxError extends SogomsError {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(ErrorCode.TEMPLATE_ERROR, `template syntax error at line ${line}, column ${column}: ${message}`, {
      line,
      column,
    });
    this.name = 'TemplateSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/** Maps a character offset to a 1-based line/column, for error messages. */
export function positionOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Throws a TemplateSyntaxError located at `offset` of `source`. */
export function syntaxError(source: string, offset: number, message: string): never {
  const { line, column } = positionOf(source, offset);
  throw new TemplateSyntaxError(message, line, column);
}
