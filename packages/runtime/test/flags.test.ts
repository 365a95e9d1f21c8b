import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError, usage } from '../src/flags.js';

const spec = [
  { name: 'config', description: 'configuration directory', default: '/config' },
  { name: 'socket', description: 'socket path' },
  { name: 'version', description: 'print the version', boolean: true },
];

describe('parseFlags', () => {
  it('accepts the Go spelling with one dash and the two-dash spelling', () => {
    expect(parseFlags(['-config', '/a', '--socket', '/b.sock'], spec)).toEqual({
      config: '/a',
      socket: '/b.sock',
      version: false,
    });
    expect(parseFlags(['--config=/x', '-socket=/y'], spec)).toMatchObject({ config: '/x', socket: '/y' });
  });

  it('applies defaults and reads boolean flags without a value', () => {
    expect(parseFlags(['--version'], spec)).toEqual({ config: '/config', socket: undefined, version: true });
    expect(parseFlags(['-version'], spec).version).toBe(true);
  });

  it('rejects unknown flags, stray arguments and missing values with a UsageError', () => {
    expect(() => parseFlags(['-nope', '1'], spec)).toThrow(UsageError);
    expect(() => parseFlags(['stray'], spec)).toThrow(/unexpected argument/);
    expect(() => parseFlags(['-config'], spec)).toThrow(/needs a value/);
  });

  it('lists every flag with its default in the usage text', () => {
    const text = usage('sogoms-db', spec);
    expect(text).toContain('-config CONFIG');
    expect(text).toContain('(default /config)');
    expect(text).toContain('-version');
  });
});
