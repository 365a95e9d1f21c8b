import { defineConfig } from 'vitest/config';

// Used by `pnpm test:mutation` only: scripts/mutation.mjs passes the unit test files of one module in
// SOGOMS_MUTATION_TESTS, so every mutant runs against those fast tests and nothing that spawns processes.
const raw = process.env.SOGOMS_MUTATION_TESTS;
if (!raw)
  throw new Error('vitest.mutation.config.ts is for scripts/mutation.mjs (SOGOMS_MUTATION_TESTS unset)');
const include: string[] = JSON.parse(raw);

export default defineConfig({
  test: {
    include,
    exclude: ['**/node_modules/**'],
    testTimeout: 20_000,
  },
});
