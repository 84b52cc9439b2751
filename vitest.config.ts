import { defineConfig } from 'vitest/config';

// The project's own tests: unit tests beside the code, and proofs that run the whole suite against the
// sandbox. Proofs start real servers and browsers, so they get generous timeouts and run in forks.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'reporters/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/smoke/**/*.test.ts', 'tests/proofs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
