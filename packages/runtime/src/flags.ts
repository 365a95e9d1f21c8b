// Command-line flags in the original's Go spelling (`-config DIR`) and with two dashes (`--config DIR`),
// also `-flag=value`. Boolean flags take no value.

export interface FlagSpec {
  name: string;
  description: string;
  default?: string;
  boolean?: boolean;
}

export type ParsedFlags = Record<string, string | boolean | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses argv (without node and script) against the spec; unknown flags and missing values are UsageErrors. */
export function parseFlags(argv: readonly string[], spec: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(spec.map((flag) => [flag.name, flag]));
  const out: ParsedFlags = {};
  for (const flag of spec) out[flag.name] = flag.boolean ? false : flag.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument: ${arg}`);
    const name = match[1]!;
    const flag = byName.get(name);
    if (!flag) throw new UsageError(`unknown flag: ${arg}`);
    if (flag.boolean) {
      out[name] = match[2] === undefined ? true : match[2] !== 'false';
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`flag -${name} needs a value`);
    out[name] = value;
  }
  return out;
}

/** The usage text listing every flag. */
export function usage(binary: string, spec: readonly FlagSpec[]): string {
  const lines = spec.map((flag) => {
    const value = flag.boolean ? '' : ` ${flag.name.toUpperCase()}`;
    const def = flag.default !== undefined ? ` (default ${flag.default})` : '';
    return `  -${flag.name}${value}\t${flag.description}${def}`;
  });
  return `usage: ${binary} [flags]\n${lines.join('\n')}`;
}
