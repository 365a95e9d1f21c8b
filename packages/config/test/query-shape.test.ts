import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

function problemsWith(files: Record<string, string>): string[] {
  const dir = makeTree({ ...prokovTree(), ...files });
  return brief(
    problemsOf(() => loadPlatformConfig(dir)),
    dir,
  );
}

// Regression: these shapes used to pass `sogoctl check` and only failed at request time with a 500.
describe('query shapes the gateway cannot run', () => {
  it('reports a top-level UNION, a positional "?" and a second statement, with file and key path', () => {
    const problems = problemsWith({
      'queries/prokov/notes.yaml': `
list:
  query: SELECT id FROM a UNION SELECT id FROM b
  filters: { default: "user_id = :user_id" }
show:
  query: SELECT id FROM notes WHERE id = ?
  filters: { default: "user_id = :user_id" }
`,
      'queries/prokov/pins.yaml': `
list:
  query: "SELECT id FROM pins; DELETE FROM pins"
`,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/queries\/prokov\/notes\.yaml list\.query: .*UNION/),
        expect.stringMatching(/queries\/prokov\/notes\.yaml show\.query: use :name placeholders/),
        expect.stringMatching(/queries\/prokov\/pins\.yaml list\.query: .*one statement/),
      ]),
    );
  });

  it('reports a role filter or param condition that could escape its parentheses', () => {
    const problems = problemsWith({
      'queries/prokov/notes.yaml': `
list:
  query: SELECT id FROM notes
  filters: { default: "user_id = :user_id) OR (1 = 1" }
  params: { tag: "tag = :tag; DROP TABLE notes" }
`,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/notes\.yaml list\.filters\.default: .*unbalanced/),
        expect.stringMatching(/notes\.yaml list\.params\.tag: not a usable condition/),
      ]),
    );
  });

  it('accepts a UNION inside a derived table and a trailing semicolon', () => {
    const dir = makeTree({
      ...prokovTree(),
      'queries/prokov/notes.yaml': `
list:
  query: "SELECT id FROM (SELECT id, user_id FROM a UNION SELECT id, user_id FROM b) AS u;"
  filters: { default: "user_id = :user_id" }
`,
    });
    expect(loadPlatformConfig(dir).apps.prokov?.resources.notes?.list?.query).toContain('UNION');
  });
});
