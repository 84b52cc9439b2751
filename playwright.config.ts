/**
 * The smoke suite's Playwright configuration: every CI-versus-local switch lives here. The target comes from
 * the environment that `pnpm test:smoke` prepares (see scripts/test-smoke.ts); running Playwright directly
 * works too when BASE_URL and the other target variables are set.
 *
 * Outputs of a run (SMOKE_OUTPUT_DIR, default test-results/, emptied by Playwright when a run starts):
 * results.json, junit.xml, summary.json, allure-results/ and traces of failed tests; the promotion log, its
 * screenshots/ and charts/ wherever PROMOTION_LOG says. Secret values are redacted from all of them
 * (reporters/redact-artifacts-reporter.ts runs last, after the others wrote their files).
 *
 * Sharded runs: SMOKE_SHARDED=1 on each shard (`playwright test --shard=1/2`) writes a redacted blob report to
 * SMOKE_BLOB_DIR (default blob-report/) instead; `playwright merge-reports -c playwright.config.ts <blobs>`
 * without SMOKE_SHARDED then writes the one promotion log, summary.json, JUnit and Allure results of the run.
 */
import path from 'node:path';
import { defineConfig, type ReporterDescription } from '@playwright/test';
import { resolveChromium } from './src/browser.ts';

const ci = !!process.env.CI;
const chromium = resolveChromium();
// One retry by default: a check that passes only on retry is then reported as flaky, not as green.
const outputDir = process.env.SMOKE_OUTPUT_DIR ?? 'test-results';
const retries = Number(process.env.SMOKE_RETRIES ?? 1);
const sharded = process.env.SMOKE_SHARDED === '1';
const blobDir = process.env.SMOKE_BLOB_DIR ?? 'blob-report';

const terminal: ReporterDescription = [ci ? 'line' : 'list'];
const reporter: ReporterDescription[] = sharded
  ? [terminal, ['blob', { outputDir: blobDir }], ['./reporters/redact-artifacts-reporter.ts', { paths: [outputDir, blobDir] }]]
  : [
      terminal,
      // Machine-readable results beside the artifacts (timings for `pnpm bench`, input for other tools).
      ['json', { outputFile: path.join(outputDir, 'results.json') }],
      ['junit', { outputFile: path.join(outputDir, 'junit.xml'), includeProjectInTestName: false }],
      [
        './reporters/allure-reporter.ts',
        {
          resultsDir: path.join(outputDir, 'allure-results'),
          detail: true,
          suiteTitle: true,
          environmentInfo: { environment: process.env.SMOKE_ENV ?? 'local', run: process.env.SMOKE_RUN_ID ?? '', target: process.env.BASE_URL ?? '' },
        },
      ],
      ['./reporters/summary-json-reporter.ts', { outputFile: path.join(outputDir, 'summary.json') }],
      ['./reporters/promotion-log-reporter.ts'],
      ['./reporters/redact-artifacts-reporter.ts', { paths: [outputDir] }],
    ];

export default defineConfig({
  testDir: 'tests/smoke',
  testMatch: '**/*.spec.ts',
  outputDir,
  fullyParallel: true,
  forbidOnly: ci,
  retries: Number.isFinite(retries) ? retries : 1,
  workers: process.env.SMOKE_WORKERS ? Number(process.env.SMOKE_WORKERS) : 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter,
  use: {
    baseURL: process.env.BASE_URL,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromium.executablePath, args: chromium.args },
    // Traces record typed values, the password included: the redact-artifacts reporter rewrites their text
    // parts (actions, network, snapshots) before the run ends.
    trace: 'retain-on-failure',
    screenshot: 'off',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
});
