// Phase 15, item 5: a list declares which columns ?filter[...] and ?fields= may use, and what ?expand= embeds
// (list.filterable, list.fields, list.expand); bad entries are problems with their file and key path.
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

describe('list.filterable / list.fields / list.expand', () => {
  it('are read; an expand entry is a resource name ({name}_id) or { field, resource }', () => {
    const dir = makeTree({
      ...prokovTree(),
      'queries/prokov/notes.yaml': `
list:
  query: SELECT id, project_id, owner_ref, body FROM notes
  filters: { default: "" }
  filterable: [project_id, body]
  fields: [id, body]
  expand: { project: projects, owner: { field: owner_ref, resource: projects } }
`,
    });
    const list = loadPlatformConfig(dir).apps['prokov']!.resources['notes']!.list!;
    expect(list.filterable).toEqual(['project_id', 'body']);
    expect(list.fields).toEqual(['id', 'body']);
    expect(list.expand).toEqual({
      project: { field: 'project_id', resource: 'projects' },
      owner: { field: 'owner_ref', resource: 'projects' },
    });
  });

  it('bad columns, unknown resources, reserved param names are problems naming file and key', () => {
    const dir = makeTree({
      ...prokovTree(),
      'queries/prokov/notes.yaml': `
list:
  query: SELECT id FROM notes
  filters: { default: "" }
  filterable: ["body; DROP TABLE notes"]
  fields: [id, id]
  expand: { project: nowhere, "bad-name": projects, other: { field: "x y", resource: projects } }
  params: { count: "" }
`,
    });
    expect(
      brief(
        problemsOf(() => loadPlatformConfig(dir)),
        dir,
      ).sort(),
    ).toEqual(
      [
        'queries/prokov/notes.yaml list.filterable[0]: not an identifier (letters, digits, _): "body; DROP TABLE notes"',
        'queries/prokov/notes.yaml list.fields[1]: "id" is listed twice',
        'queries/prokov/notes.yaml list.expand.bad-name: expansion names are identifiers (letters, digits, _)',
        'queries/prokov/notes.yaml list.expand.other: expected `{ field: foreign_key_column, resource: name }` or a resource name',
        'queries/prokov/notes.yaml list.expand.project: no resource "nowhere" in this app',
        'queries/prokov/notes.yaml list.params.count: "count" is reserved (id, limit, offset, sort, after, fields, count, expand, filter, user_id, role, email, names starting with "_")',
      ].sort(),
    );
  });
});
