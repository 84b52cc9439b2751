import { defineConfig } from 'vitest/config';

// The project's own tests: unit tests beside the code (in parallel), and proofs that run the whole suite
// against the sandbox. Each proof starts a sandbox and a browser; on a 2-core machine two at once would turn
// honest latency figures into false alarms, so proof files run one after another, and `pnpm test` runs them
// after the unit tests, not beside them (vitest would otherwise share its workers between the two projects).
const shared = { testTimeout: 180_000, hookTimeout: 180_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'reporters/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/smoke/**/*.test.ts'],
        },
      },
      { test: { ...shared, name: 'proofs', include: ['tests/proofs/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
