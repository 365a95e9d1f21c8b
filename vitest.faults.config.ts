import { defineConfig } from 'vitest/config';

// The fault suite (`pnpm test:faults`): each file starts the whole platform on MariaDB, puts it under load and
// kills parts of it. Files run one after the other so that one file's load and kills never disturb another's.
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
