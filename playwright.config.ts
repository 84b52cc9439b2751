/**
 * The smoke suite's Playwright configuration: every CI-versus-local switch lives here. The target comes from
 * the environment that `pnpm test:smoke` prepares (see scripts/test-smoke.ts); running Playwright directly
 * works too when BASE_URL and the other target variables are set.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { resolveChromium } from './src/browser.ts';

const ci = !!process.env.CI;
const chromium = resolveChromium();
// One retry by default: a check that passes only on retry is then reported as flaky, not as green.
const outputDir = process.env.SMOKE_OUTPUT_DIR ?? 'test-results';
const retries = Number(process.env.SMOKE_RETRIES ?? 1);

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
  reporter: [
    [ci ? 'line' : 'list'],
    ['./reporters/promotion-log-reporter.ts'],
    // Machine-readable results beside the artifacts (timings for `pnpm bench`, input for other tools).
    ['json', { outputFile: path.join(outputDir, 'results.json') }],
  ],
  use: {
    baseURL: process.env.BASE_URL,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromium.executablePath, args: chromium.args },
    // Traces record typed values, the password included; they stay off until they can be redacted.
    trace: 'off',
    screenshot: 'off',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
});
