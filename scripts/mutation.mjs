// Mutation testing of the security-critical modules with StrykerJS (vitest runner, per-test coverage).
// Usage: pnpm test:mutation <module...|all> [--concurrency=N] [--files=a.ts,b.ts]
// --files narrows one run to some of the module's files while writing tests (its score is not the module's).
// Each module mutates its source files and runs only its unit tests (vitest.mutation.config.ts), so one
// module takes minutes. Reports go to reports/mutation/<module>/ (HTML + JSON); the last line per module is
// its score. Scores are recorded in docs/MUTATION.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What each module mutates, the unit tests that must kill the mutants, and the score it must keep. */
const MODULES = {
  sql: {
    mutate: ['packages/sql/src/**/*.ts', '!packages/sql/src/index.ts'],
    tests: ['packages/sql/test/**/*.test.ts'],
    target: 90,
    // Scanner mutants that stop a loop from advancing spin forever: give up on them sooner.
    timeoutMS: 3_000,
  },
  auth: {
    mutate: ['packages/auth/src/**/*.ts', '!packages/auth/src/index.ts'],
    tests: ['packages/auth/test/**/*.test.ts'],
    target: 90,
  },
  crud: {
    mutate: ['apps/sogoway/src/crud/validate.ts', 'apps/sogoway/src/crud/compile.ts'],
    tests: ['apps/sogoway/test/compile.test.ts', 'apps/sogoway/test/*.unit.test.ts'],
    target: 90,
  },
  protocol: {
    mutate: ['packages/protocol/src/codec.ts', 'packages/protocol/src/frame-writer.ts'],
    tests: ['packages/protocol/test/codec.test.ts', 'packages/protocol/test/*.unit.test.ts'],
    target: 90,
  },
  // The list query language: every filter operator and the cursor are SQL built from the query string.
  listquery: {
    mutate: ['apps/sogoway/src/crud/list-query.ts', 'apps/sogoway/src/crud/cursor.ts'],
    tests: ['apps/sogoway/test/list-query.unit.test.ts', 'apps/sogoway/test/pagination.unit.test.ts'],
    target: 90,
  },
  // What ends a session: the per-request check, its cache, rotation and reuse of refresh tokens.
  sessions: {
    mutate: ['apps/sogoway/src/auth/sessions.ts'],
    tests: ['apps/sogoway/test/sessions.unit.test.ts'],
    target: 90,
  },
  // Who receives a change: topics per user and role, the SSE hub's routing, device credentials' ACLs.
  push: {
    mutate: [
      'apps/sogoway/src/push/changes.ts',
      'apps/sogoway/src/push/hub.ts',
      'apps/sogoms-push/src/credentials.ts',
    ],
    tests: ['apps/sogoway/test/push-acl.unit.test.ts', 'apps/sogoms-push/test/credentials.unit.test.ts'],
    target: 90,
  },
  gotemplate: {
    mutate: ['packages/gotemplate/src/**/*.ts', '!packages/gotemplate/src/index.ts'],
    tests: ['packages/gotemplate/test/**/*.test.ts'],
    target: 80,
  },
};

const args = process.argv.slice(2);
const concurrencyArg = args.find((a) => a.startsWith('--concurrency='));
const concurrency = concurrencyArg ? Number(concurrencyArg.split('=')[1]) : 2;
const filesArg = args.find((a) => a.startsWith('--files='));
const onlyFiles = filesArg ? filesArg.slice('--files='.length).split(',').filter(Boolean) : undefined;
let names = args.filter((a) => !a.startsWith('--'));
if (names.includes('all')) names = Object.keys(MODULES);
const unknown = names.filter((n) => !(n in MODULES));
if (names.length === 0 || unknown.length > 0 || !(concurrency >= 1)) {
  if (unknown.length > 0) console.error(`unknown module: ${unknown.join(', ')}`);
  console.error(`usage: pnpm test:mutation <${Object.keys(MODULES).join('|')}|all>... [--concurrency=N]`);
  process.exit(2);
}

/** Mutation score as Stryker computes it: detected / (detected + undetected), errors left out. */
function summarize(results) {
  const count = (status) => results.filter((r) => r.status === status).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  const score = valid === 0 ? 0 : (100 * (killed + timeout)) / valid;
  return {
    score: Math.round(score * 100) / 100,
    killed,
    timeout,
    survived,
    noCoverage,
    total: results.length,
  };
}

const lines = [];
let failed = false;
for (const name of names) {
  const mod = MODULES[name];
  const reportDir = join('reports', 'mutation', onlyFiles ? `${name}-partial` : name);
  mkdirSync(join(root, reportDir), { recursive: true });
  process.env.SOGOMS_MUTATION_TESTS = JSON.stringify(mod.tests);
  const stryker = new Stryker({
    packageManager: 'pnpm',
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.mutation.config.ts' },
    coverageAnalysis: 'perTest',
    mutate: onlyFiles ?? mod.mutate,
    // The sandbox only needs the sources and the root manifest; node_modules is symlinked. tsconfig.json stays
    // out: Stryker would rewrite it with the TypeScript JS API, which TypeScript 7 no longer has.
    ignorePatterns: ['/*', '!/apps', '!/packages', '!/package.json', '!/vitest.mutation.config.ts'],
    concurrency,
    timeoutMS: mod.timeoutMS ?? 10_000,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: join(reportDir, 'index.html') },
    jsonReporter: { fileName: join(reportDir, 'report.json') },
    // One folder per module, so that two modules can run at once.
    tempDirName: join('.stryker-tmp', name),
    cleanTempDir: 'always',
    thresholds: { high: mod.target, low: mod.target - 10, break: null },
  });
  const results = await stryker.runMutationTest();
  const s = summarize(results);
  const ok = s.score >= mod.target;
  failed ||= !ok;
  writeFileSync(
    join(root, reportDir, 'summary.json'),
    `${JSON.stringify({ module: name, date: new Date().toISOString(), target: mod.target, ...s }, null, 2)}\n`,
  );
  lines.push(
    `${name}: ${s.score.toFixed(2)} % (target ${mod.target} %) — killed ${s.killed}, timeout ${s.timeout}, ` +
      `survived ${s.survived}, no coverage ${s.noCoverage}${ok ? '' : '  BELOW TARGET'}`,
  );
}
for (const line of lines) console.log(line);
process.exit(failed ? 1 : 0);
