/**
 * The e2e reporter under the real Playwright runner, on a small generated spec in a temporary folder (no
 * browser): e2e-summary.json and the one-line-per-test console summary, a retry-only pass reported as flaky, and
 * `test:e2e`'s verdict on it (exit 1).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdict } from '../src/run/e2e-command.ts';
import type { E2eSummary } from './e2e/e2e-results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'e2e-reporter-secret-password';

const SPEC = `
import { test } from '@playwright/test';
import { MEASUREMENT_ATTACHMENT } from ${JSON.stringify(path.join(ROOT, 'src/log-annotations.ts'))};

const measure = (testInfo, durationMs, notes) =>
  testInfo.attach(MEASUREMENT_ATTACHMENT, { body: JSON.stringify({ durationMs, notes }), contentType: 'application/json' });

test('Geofence Exit Alert Test', async ({}, testInfo) => {
  await measure(testInfo, 300, 'SYN-0001: GEOFENCE_EXIT raised');
});

test('Live Updates Test', async ({}, testInfo) => {
  if (testInfo.retry === 0) throw new Error('browser B saw nothing');
  await measure(testInfo, 800, 'both live');
});

test('Wrong Password Test', async () => {
  throw new Error('login page says "${SECRET}", expected "Invalid login credentials"');
});

test('Role Permissions Test', async () => {
  test.skip(true, 'read-only mode (SMOKE_ALLOW_WRITES is not 1)');
});
`;

const CONFIG = `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  retries: 1,
  workers: 1,
  reporter: [[${JSON.stringify(path.join(ROOT, 'reporters/e2e-summary-reporter.ts'))}, { outputFile: 'out/e2e-summary.json' }]],
});
`;

describe('e2e summary reporter under the real Playwright runner', () => {
  let dir: string;
  beforeAll(() => {
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    // Inside the project, so the spec resolves @playwright/test from its node_modules.
    dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'e2e-reporter-'));
    fs.writeFileSync(path.join(dir, 'e2e.spec.ts'), SPEC);
    fs.writeFileSync(path.join(dir, 'playwright.config.ts'), CONFIG);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes each test with its status and evidence, prints one line per test, and calls a retry-only pass flaky', () => {
    const run = spawnSync('pnpm', ['exec', 'playwright', 'test', '-c', path.join(dir, 'playwright.config.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CI: '', SMOKE_RUN_ID: 'e2e-test-run', SMOKE_ENV: 'staging', SMOKE_USER_PASSWORD: SECRET },
    });
    expect(run.status).toBe(1);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out/e2e-summary.json'), 'utf8')) as E2eSummary;
    expect(summary).toMatchObject({ runId: 'e2e-test-run', env: 'staging', status: 'failed', counts: { total: 4, passed: 1, failed: 1, flaky: 1, skipped: 1 } });
    expect(summary.tests.map(({ name, status, attempts, notes, error }) => ({ name, status, attempts, notes, error }))).toEqual([
      { name: 'Geofence Exit Alert Test', status: 'passed', attempts: 1, notes: 'SYN-0001: GEOFENCE_EXIT raised', error: null },
      { name: 'Live Updates Test', status: 'flaky', attempts: 2, notes: 'both live', error: 'browser B saw nothing' },
      { name: 'Wrong Password Test', status: 'failed', attempts: 2, notes: 'login page says "[REDACTED:SMOKE_USER_PASSWORD]", expected "Invalid login credentials"', error: 'login page says "[REDACTED:SMOKE_USER_PASSWORD]", expected "Invalid login credentials"' },
      { name: 'Role Permissions Test', status: 'skipped', attempts: 1, notes: 'read-only mode (SMOKE_ALLOW_WRITES is not 1)', error: null },
    ]);
    const lines = run.stdout.slice(run.stdout.indexOf('E2E results')).trimEnd().split('\n');
    expect(lines[0]).toBe('E2E results (run e2e-test-run, staging):');
    expect(lines.slice(1, 5)).toEqual([
      expect.stringMatching(/^ {2}✅ PASSED {3}Geofence Exit Alert Test 0\.3 s — SYN-0001: GEOFENCE_EXIT raised$/),
      expect.stringMatching(/^ {2}⚠️ FLAKY {4}Live Updates Test +0\.8 s — passed on attempt 2 after: browser B saw nothing$/),
      expect.stringMatching(/^ {2}❌ FAILED {3}Wrong Password Test +\d+\.\d s — login page says "\[REDACTED:SMOKE_USER_PASSWORD\]"/),
      expect.stringMatching(/^ {2}⏭️ SKIPPED {2}Role Permissions Test +— read-only mode/),
    ]);
    expect(lines[5]).toBe('E2E: 1 passed, 1 failed, 1 flaky, 1 skipped of 4');
    expect(run.stdout + fs.readFileSync(path.join(dir, 'out/e2e-summary.json'), 'utf8')).not.toContain(SECRET);

    // What test:e2e makes of it: a failure is exit 1; a run whose only blemish is a retry is exit 1 too, and says why.
    expect(verdict(1, summary, 'e2e-summary.json')).toEqual({ exit: 1 });
    const onlyFlaky = { ...summary, tests: summary.tests.filter((t) => t.status !== 'failed') };
    expect(verdict(0, onlyFlaky, 'e2e-summary.json')).toEqual({ exit: 1, message: 'flaky (passed only on retry): Live Updates Test' });
    expect(verdict(0, { ...summary, tests: [summary.tests[0]!] }, 'e2e-summary.json')).toEqual({ exit: 0 });
    expect(verdict(0, undefined, 'e2e-results/e2e-summary.json')).toEqual({ exit: 2, message: 'Playwright ended (exit 0) without writing e2e-results/e2e-summary.json' });
  });
});
