import { describe, expect, it } from 'vitest';
import { type ConfigError, checkConfigTree, loadPlatformConfig } from '../src/index.js';
import type { ConfigProblem } from '../src/types.js';
import { DB_PASSWORD, JWT_SECRET, prokovTree } from './fixtures.js';
import { errorOf, makeTree } from './helpers.js';

const INLINE = 'inl1ne-Secret-xyz';
const FROM_ENV = 'env-Secret-abc';

/** Asserts no secret shows up in any problem message, nor in the ConfigError message. */
function expectNoSecret(problems: readonly ConfigProblem[], err?: ConfigError): void {
  expect(problems.length).toBeGreaterThan(0);
  const texts = [...problems.map((p) => `${p.file} ${p.path} ${p.message}`), err?.message ?? ''];
  for (const text of texts) {
    for (const secret of [JWT_SECRET, DB_PASSWORD, INLINE, FROM_ENV]) expect(text).not.toContain(secret);
  }
}

describe('secret values never appear in problems', () => {
  it('when the section around a secret file has errors', () => {
    const dir = makeTree({
      ...prokovTree(),
      'routes/prokov.yaml': `
hosts: [a.com]
database: { driver: sqlite, file: x.db, password_file: secrets/db, pool: lots }
auth: { jwt_secret_file: secrets/jwt, jwt_expiry: never, bcrypt_cost: 99 }
`,
    });
    const err = errorOf(() => loadPlatformConfig(dir));
    expectNoSecret(err.problems, err);
  });

  it('when an inline secret has the wrong type or sits next to a YAML syntax error', () => {
    const wrongType = makeTree({
      'routes/a.yaml': `hosts: [a.com]\ndatabase: { driver: sqlite, file: a.db, password: [${INLINE}] }\nauth: { jwt_secret: { v: ${INLINE} } }\n`,
    });
    const err = errorOf(() => loadPlatformConfig(wrongType));
    expect(err.problems.map((p) => p.path)).toEqual(['database.password', 'auth.jwt_secret']);
    expectNoSecret(err.problems, err);

    // js-yaml's own error message quotes the lines around the error: it must not reach the problem.
    const syntax = makeTree({
      'routes/a.yaml': `hosts: [a.com]\nauth:\n  jwt_secret: ${INLINE}\n   bad: indent\n  x: "${INLINE}\n`,
    });
    const err2 = errorOf(() => loadPlatformConfig(syntax));
    expect(err2.problems[0]?.message).toMatch(/^YAML syntax error at line \d+/);
    expectNoSecret(err2.problems, err2);
  });

  it('when a secret comes from an environment variable next to broken values', () => {
    const dir = makeTree({
      'secrets/jwt': JWT_SECRET,
      'routes/a.yaml': `hosts: [a.com]\ndatabase: { driver: sqlite, file: a.db, password: "\${DBP}", pool: "\${DBP}" }\nauth: { jwt_secret_file: secrets/jwt, jwt_expiry: "\${DBP}", bcrypt_cost: "\${DBP}" }\nsmtp: { from: "\${DBP}", host: h }\n`,
    });
    const problems = checkConfigTree(dir, { env: { DBP: FROM_ENV } });
    expect(problems.map((p) => p.path)).toEqual([
      '',
      'database.pool',
      'auth.jwt_expiry',
      'auth.bcrypt_cost',
      'smtp.from',
    ]);
    expectNoSecret(problems);
  });
});
