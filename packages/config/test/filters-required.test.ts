import { describe, expect, it } from 'vitest';
import { checkConfigTree, loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

const SOGOCTL = `services:
  sogoway:
    binary: /bin/true
`;

// Hardening issue, item 7: a section without `filters` was open to every logged-in user, and check said OK.
describe('a CRUD section without filters', () => {
  it('is refused at load and by check, naming the file and each section (it was open to every user)', () => {
    const dir = makeTree({
      ...prokovTree(),
      'sogoctl.yaml': SOGOCTL,
      'queries/prokov/notes.yaml': `
list:
  query: SELECT id, body FROM notes
show:
  query: SELECT id, body FROM notes WHERE id = :id
  filters:
create:
  table: notes
  fields: [user_id, body]
update:
  table: notes
  fields: [body]
  filters: {}
delete:
  table: notes
  filters: { admin: "" }
`,
    });
    const expected = [
      expect.stringMatching(/^queries\/prokov\/notes\.yaml list\.filters: is required .*default: ""/),
      expect.stringMatching(/^queries\/prokov\/notes\.yaml show\.filters: is required/),
      'queries/prokov/notes.yaml update.filters: needs a `default` entry (used for every role without its own)',
      'queries/prokov/notes.yaml delete.filters: needs a `default` entry (used for every role without its own)',
    ];
    expect(
      brief(
        problemsOf(() => loadPlatformConfig(dir)),
        dir,
      ),
    ).toEqual(expected);
    expect(brief(checkConfigTree(dir), dir)).toEqual(expected);
  });

  it('loads when each section opens itself explicitly with filters: { default: "" }; create needs none', () => {
    const dir = makeTree({
      ...prokovTree(),
      'queries/prokov/notes.yaml': `
list: { query: "SELECT id, body FROM notes", filters: { default: "" } }
show: { query: "SELECT id, body FROM notes WHERE id = :id", filters: { default: "" } }
create: { table: notes, fields: [user_id, body] }
update: { table: notes, fields: [body], filters: { default: "", guest: "1 = 0" } }
delete: { table: notes, filters: { default: } }
`,
    });
    const notes = loadPlatformConfig(dir).apps['prokov']?.resources['notes'];
    expect(notes?.list?.filters).toEqual({ default: '' });
    expect(notes?.update?.filters).toEqual({ default: '', guest: '1 = 0' });
    expect(notes?.delete?.filters).toEqual({ default: '' });
    expect(notes?.create?.filters).toEqual({});
  });
});
