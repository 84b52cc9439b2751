/**
 * The e2e set's Playwright configuration (`pnpm test:e2e`, tests/e2e): the deeper checks for staging. The same
 * target, browser, retries and timeouts as the smoke suite's (src/run/playwright-defaults.ts), but its results are
 * its own and never touch the promotion log: E2E_OUTPUT_DIR (default e2e-results/, emptied when a run starts)
 * receives e2e-summary.json, results.json, junit.xml, allure-results/ and traces of failed tests, all with secret
 * values redacted; the console ends with one line per test.
 */
import { defineConfig, type ReporterDescription } from '@playwright/test';
import { resultReporters, suiteDefaults, terminalReporter } from './src/run/playwright-defaults.ts';

const outputDir = process.env.E2E_OUTPUT_DIR ?? 'e2e-results';

const reporter: ReporterDescription[] = [
  terminalReporter(),
  ...resultReporters(outputDir, { suite: 'e2e', environment: process.env.SMOKE_ENV ?? 'local', run: process.env.SMOKE_RUN_ID ?? '', target: process.env.BASE_URL ?? '' }),
  ['./reporters/e2e-summary-reporter.ts'],
  ['./reporters/redact-artifacts-reporter.ts', { paths: [outputDir] }],
];

// Role checks sign in four users one after the other: more time than a smoke flow.
export default defineConfig({ ...suiteDefaults(outputDir), testDir: 'tests/e2e', timeout: 90_000, reporter });
