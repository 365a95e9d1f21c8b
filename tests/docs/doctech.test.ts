// DOCTECH.md is the technical reference: every error code of the registry must be documented there, and the
// README must keep giving the two commands a newcomer needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { withContents } from '../../scripts/docs/toc.mjs';
import { ROOT } from '../helpers/platform.js';

const doctech = readFileSync(join(ROOT, 'DOCTECH.md'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('documentation', () => {
  it('documents every error code of the registry in DOCTECH.md', () => {
    const missing = Object.values(ErrorCode).filter((code) => !doctech.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('keeps its table of contents in step with its sections and subsections (node scripts/docs/toc.mjs)', () => {
    expect(withContents(doctech)).toBe(doctech);
  });

  it('gives the start and test commands in README.md', () => {
    expect(readme).toMatch(/npm start/);
    expect(readme).toMatch(/npm test/);
  });

  it('documents every service binary and every supervisor key with its default', () => {
    for (const binary of ['sogoctl', 'sogoway', 'sogoms-db', 'sogoms-logs', 'sogoms-smtp'])
      expect(doctech).toContain(binary);
    for (const key of [
      'health_interval',
      'restart_delay',
      'max_restarts',
      'stop_timeout',
      'start_timeout',
      'log_file',
      'control_socket',
    ])
      expect(doctech, key).toContain(`\`${key}\``);
  });
});
