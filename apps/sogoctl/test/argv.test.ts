import { describe, expect, it } from 'vitest';
import { normaliseArgv } from '../src/argv.js';

describe('normaliseArgv', () => {
  it('turns Go-style single-dash long flags into double-dash ones', () => {
    expect(normaliseArgv(['-config', '/etc/sogoms'])).toEqual(['--config', '/etc/sogoms']);
    expect(normaliseArgv(['status', '-config=/x'])).toEqual(['status', '--config=/x']);
    expect(normaliseArgv(['-version'])).toEqual(['--version']);
  });

  it('keeps double-dash flags, one-letter flags, values and everything after --', () => {
    expect(normaliseArgv(['--config', 'dir', '-V', '-h'])).toEqual(['--config', 'dir', '-V', '-h']);
    expect(normaliseArgv(['restart', 'sogoms-db'])).toEqual(['restart', 'sogoms-db']);
    expect(normaliseArgv(['--', '-config'])).toEqual(['--', '-config']);
  });
});
