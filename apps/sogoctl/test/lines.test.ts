import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/supervisor/lines.js';

function split(chunks: (Buffer | string)[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l), max);
  for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : c);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('emits whole lines whatever the chunking', () => {
    expect(split(['a\nb', 'c\n', 'd\ne\n'])).toEqual(['a', 'bc', 'd', 'e']);
  });

  it('flushes a last line without newline at the end and strips CR', () => {
    expect(split(['one\r\ntwo'])).toEqual(['one', 'two']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('été ✓\n');
    const pieces = [...bytes].map((b) => Buffer.from([b]));
    expect(split(pieces)).toEqual(['été ✓']);
  });

  it('cuts a line that never ends at the maximum length', () => {
    expect(split(['x'.repeat(25)], 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});
