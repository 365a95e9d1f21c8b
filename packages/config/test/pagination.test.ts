// Pagination keys of a list (issue "many tenants, big tables", item 2): `limit.max_offset` bounds ?offset=,
// `key` names the tie-breaker column of keyset pages; both are checked at load and by `sogoctl check`.
import { describe, expect, it } from 'vitest';
import { checkConfigTree, loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

const SOGOCTL = `services:
  sogoway:
    binary: /bin/true
`;

describe('list pagination keys', () => {
  it('reads limit.max_offset and key; without them the offset bound is 1,000 and the key id', () => {
    const dir = makeTree({
      ...prokovTree(),
      'queries/prokov/notes.yaml': `
list:
  query: SELECT note_id, body FROM notes
  filters: { default: "" }
  key: note_id
  limit: { default: 10, max: 100, max_offset: 2000 }
`,
      'queries/prokov/memos.yaml': `
list: { query: "SELECT id FROM memos", filters: { default: "" } }
`,
    });
    const resources = loadPlatformConfig(dir).apps['prokov']!.resources;
    expect(resources['notes']?.list?.limit).toEqual({ default: 10, max: 100, maxOffset: 2000 });
    expect(resources['notes']?.list?.key).toBe('note_id');
    expect(resources['memos']?.list?.limit).toEqual({ default: 50, max: 500, maxOffset: 1_000 });
    expect(resources['memos']?.list?.key).toBe('id');
  });

  it('a bad max_offset, a bad key, an "after" or "_" param are problems at load and in sogoctl check', () => {
    const dir = makeTree({
      ...prokovTree(),
      'sogoctl.yaml': SOGOCTL,
      'queries/prokov/notes.yaml': `
list:
  query: SELECT id, body FROM notes
  filters: { default: "" }
  key: "id; DROP TABLE notes"
  params: { after: "id > :after", _after0: "id = :_after0" }
  limit: { max_offset: -1, extra: 3 }
`,
    });
    const expected = [
      'queries/prokov/notes.yaml list.params.after: "after" is reserved (id, limit, offset, sort, after, fields, count, expand, filter, user_id, role, email, names starting with "_")',
      'queries/prokov/notes.yaml list.params._after0: "_after0" is reserved (id, limit, offset, sort, after, fields, count, expand, filter, user_id, role, email, names starting with "_")',
      'queries/prokov/notes.yaml list.key: not an identifier (letters, digits, _): "id; DROP TABLE notes"',
      'queries/prokov/notes.yaml list.limit.extra: unknown key (expected one of: default, max, max_offset)',
      'queries/prokov/notes.yaml list.limit.max_offset: must be between 0 and 1000000000 (got -1)',
    ];
    expect(
      brief(
        problemsOf(() => loadPlatformConfig(dir)),
        dir,
      ).sort(),
    ).toEqual([...expected].sort());
    expect(brief(checkConfigTree(dir), dir).sort()).toEqual([...expected].sort());
  });
});
