/**
 * What the smoke suite's and the e2e set's Playwright configurations share: the browser (src/browser.ts),
 * parallelism, one retry (a test that passes only on retry is reported as flaky), timeouts, traces of failures.
 */
import path from 'node:path';
import type { PlaywrightTestConfig, ReporterDescription } from '@playwright/test';
import { resolveChromium } from '../browser.ts';

/** The console reporter: one line per test locally, a single updating line in CI. */
export const terminalReporter = (): ReporterDescription => [process.env.CI ? 'line' : 'list'];

/** Machine-readable results in `outputDir`: Playwright's JSON, JUnit XML, Allure results (with `environment`). */
export function resultReporters(outputDir: string, environment: Record<string, string>): ReporterDescription[] {
  return [
    ['json', { outputFile: path.join(outputDir, 'results.json') }],
    ['junit', { outputFile: path.join(outputDir, 'junit.xml'), includeProjectInTestName: false }],
    ['./reporters/allure-reporter.ts', { resultsDir: path.join(outputDir, 'allure-results'), detail: true, suiteTitle: true, environmentInfo: environment }],
  ];
}

export function suiteDefaults(outputDir: string, env: NodeJS.ProcessEnv = process.env): PlaywrightTestConfig {
  const chromium = resolveChromium(env);
  const retries = Number(env.SMOKE_RETRIES ?? 1);
  return {
    testMatch: '**/*.spec.ts',
    outputDir,
    fullyParallel: true,
    forbidOnly: !!env.CI,
    retries: Number.isFinite(retries) ? retries : 1,
    workers: env.SMOKE_WORKERS ? Number(env.SMOKE_WORKERS) : 2,
    timeout: 60_000,
    expect: { timeout: 10_000 },
    use: {
      baseURL: env.BASE_URL,
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
  };
}
