import { describe, expect, it } from 'vitest';
import { checkConfigTree, formatProblems } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree } from './helpers.js';

describe('checkConfigTree', () => {
  it('is empty for a valid tree', () => {
    const dir = makeTree({
      ...prokovTree(),
      'sogoctl.yaml': 'services:\n  db: { binary: ../bin/sogoms-db }\n',
    });
    expect(checkConfigTree(dir)).toEqual([]);
  });

  it('lists the problems of sogoctl.yaml and of the platform files together', () => {
    const dir = makeTree({
      ...prokovTree(),
      'sogoctl.yaml': 'services:\n  db: { binary: /db, depends_on: [logs] }\n',
      'queries/prokov/tags.yaml':
        'list: { query: "SELECT * FROM tags WHERE id = :id", filters: { default: "" } }\n',
      'emails/prokov/welcome.yaml': 'subject: x\n',
    });
    const problems = checkConfigTree(dir);
    expect(brief(problems, dir)).toEqual([
      'sogoctl.yaml services.db.depends_on[0]: unknown service "logs"',
      'emails/prokov/welcome.yaml body: is required',
      'queries/prokov/tags.yaml list.query: placeholder :id cannot be supplied here (allowed: :user_id, :role, :email)',
    ]);
    expect(formatProblems(problems).split('\n')[0]).toBe('invalid configuration (3 problems)');
  });

  it('reports a missing sogoctl.yaml and a missing routes folder', () => {
    const dir = makeTree();
    expect(brief(checkConfigTree(dir), dir)).toEqual([
      'sogoctl.yaml : cannot read file (ENOENT)',
      'routes : missing directory (one routes/{app}.yaml per application)',
    ]);
  });
});
