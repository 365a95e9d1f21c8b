/** A query the SQL helpers cannot handle safely: unterminated literal, unbalanced parentheses, top-level UNION... */
export class SqlError extends Error {
  /** Character offset in the SQL text where the problem was found, when there is one. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`);
    this.name = 'SqlError';
    this.offset = offset;
  }
}
