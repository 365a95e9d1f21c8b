// A result kept as the JSON text it arrived as. The gateway forwards list and show rows to the HTTP client
// without parsing them and serializing them again: a third of its CPU per list request.

/** JSON text standing for a value; `toJSON`-free on purpose: write `.json` where the text is wanted. */
export class RawJson {
  constructor(readonly json: string) {}

  /** The value, parsed (for the rare caller that needs to look inside). */
  parse(): unknown {
    return JSON.parse(this.json);
  }
}
