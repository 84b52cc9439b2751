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
import { resultReporters, suiteDefaults, terminalReporter } from './src/run/playwright-defaults.ts';

const outputDir = process.env.SMOKE_OUTPUT_DIR ?? 'test-results';
const sharded = process.env.SMOKE_SHARDED === '1';
const blobDir = process.env.SMOKE_BLOB_DIR ?? 'blob-report';

const terminal = terminalReporter();
const reporter: ReporterDescription[] = sharded
  ? [terminal, ['blob', { outputDir: blobDir }], ['./reporters/redact-artifacts-reporter.ts', { paths: [outputDir, blobDir] }]]
  : [
      terminal,
      // Machine-readable results beside the artifacts (timings for `pnpm bench`, input for other tools).
      ...resultReporters(outputDir, { environment: process.env.SMOKE_ENV ?? 'local', run: process.env.SMOKE_RUN_ID ?? '', target: process.env.BASE_URL ?? '' }),
      ['./reporters/summary-json-reporter.ts', { outputFile: path.join(outputDir, 'summary.json') }],
      ['./reporters/promotion-log-reporter.ts'],
      ['./reporters/redact-artifacts-reporter.ts', { paths: [outputDir] }],
    ];

export default defineConfig({ ...suiteDefaults(outputDir), testDir: 'tests/smoke', reporter });
