// Issue "the developer's loop", item 4: a YAML syntax error in projects.yaml was also reported against auth.yaml
// (its login.include names "projects", which failed to load). It is one problem, in one file.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

function capture() {
  let text = '';
  const write = (s: string) => {
    text += s;
    return true;
  };
  const stream = { write } as unknown as NodeJS.WritableStream;
  return { io: { stdout: stream, stderr: stream }, text: () => text };
}

describe('sogoctl check points at the right file', () => {
  it('a YAML syntax error in projects.yaml is one problem, against projects.yaml, none against auth.yaml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-chk-'));
    try {
      cpSync(join(ROOT, 'config', 'dev'), dir, { recursive: true, dereference: true });
      writeFileSync(join(dir, 'queries', 'prokov', 'projects.yaml'), 'list: [unclosed\n');
      const { io, text } = capture();
      expect(await runCli(['check', '-config', dir], io)).toBe(1);
      const problems = text()
        .split('\n')
        .filter((l) => l.startsWith(dir) && !l.includes('cannot read secret'));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/queries\/prokov\/projects\.yaml: YAML syntax error/);
      expect(text()).not.toContain('auth.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
