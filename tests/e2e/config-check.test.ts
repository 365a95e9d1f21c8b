// Issue "newcomer", point 6: `sogoctl check` passes on the shipped configurations — the dev one used by
// `pnpm start` and the production one (with its secrets folder given by SOGOMS_SECRETS).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/platform.js';

const sogoctl = join(ROOT, 'bin', 'sogoctl');
const check = (dir: string, env: Record<string, string>) =>
  spawnSync(sogoctl, ['check', '-config', dir], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('sogoctl check on the shipped configurations', () => {
  it('passes on config/dev once the dev secret exists (as pnpm start makes it)', () => {
    const secret = join(ROOT, 'var', 'secrets', 'prokov_jwt_secret');
    if (!existsSync(secret)) {
      mkdirSync(join(ROOT, 'var', 'secrets'), { recursive: true });
      writeFileSync(secret, 'dev-secret-made-by-the-test-like-pnpm-start\n', { mode: 0o600 });
    }
    const result = check(join(ROOT, 'config', 'dev'), { SOGOMS_HOME: ROOT });
    expect(result.stderr + result.stdout).toContain('config OK');
    expect(result.status).toBe(0);
  });

  it('passes on the production config/ with its secrets, and names each missing secret file otherwise', () => {
    const secrets = mkdtempSync(join(tmpdir(), 'sg-secrets-'));
    try {
      const missing = check(join(ROOT, 'config'), { SOGOMS_SECRETS: secrets });
      expect(missing.status).toBe(1);
      for (const name of ['prokov_db_pass', 'prokov_jwt_secret', 'prokov_smtp_pass'])
        expect(missing.stdout + missing.stderr).toContain(join(secrets, name));
      for (const name of ['prokov_db_pass', 'prokov_jwt_secret', 'prokov_smtp_pass'])
        writeFileSync(join(secrets, name), `value-of-${name}\n`);
      const ok = check(join(ROOT, 'config'), { SOGOMS_SECRETS: secrets });
      expect(ok.stdout + ok.stderr).toContain('config OK');
      expect(ok.status).toBe(0);
      expect(ok.stdout + ok.stderr).not.toContain('value-of-');
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
  });
});
