import { describe, expect, it } from 'vitest';
import { childRecord } from '../src/supervisor/log.js';

describe('childRecord', () => {
  it('tags a plain line with service, instance and stream', () => {
    const r = childRecord('sogoms-db', 2, 'stderr', 'something odd') as Record<string, unknown>;
    expect(r).toMatchObject({ level: 'warn', service: 'sogoms-db', instance: 2, stream: 'stderr' });
    expect(r['msg']).toBe('something odd');
    expect(typeof r['ts']).toBe('string');
  });

  it('keeps a JSON line parsed, lifting its pino level and msg', () => {
    const line = JSON.stringify({ level: 50, msg: 'pool lost', app: 'prokov' });
    const r = childRecord('sogoms-db', 1, 'stdout', line);
    expect(r).toMatchObject({ level: 'error', msg: 'pool lost', line: { level: 50, app: 'prokov' } });
  });

  it('treats JSON that is not an object as text', () => {
    expect(childRecord('x', 1, 'stdout', '[1,2]')).toMatchObject({ level: 'info', msg: '[1,2]' });
    expect(childRecord('x', 1, 'stdout', '{broken')).toMatchObject({ msg: '{broken' });
  });
});
