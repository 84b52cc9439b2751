/**
 * The release gate on real runs: smoke + monitoring window on the sandbox → gate passes and release:tag tags;
 * a failed smoke check → gate fails naming it, and no tag is created; a check that passed only on its retry
 * (the real Playwright runner and the project's reporters, on a generated spec) → gate fails naming it as
 * flaky, and --allow-flaky accepts it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../reporters/summary/summary.ts';
import { calmThresholds, cleanEnv, ROOT, runScript, tempDir } from './run-cli.ts';

/**
 * A run of the real Playwright runner with the project's promotion-log and summary.json reporters (as in
 * reporters/promotion-log-reporter.test.ts) on two API-level checks, no browser and no target: Vehicles Table
 * fails on attempt 0 and passes on its retry, Branches Table passes at once.
 */
function flakyRun() {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  // Inside the project, so the spec resolves @playwright/test from its node_modules.
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'gate-flaky-'));
  fs.writeFileSync(
    path.join(dir, 'checks.spec.ts'),
    `
import { test } from '@playwright/test';
import { MEASUREMENT_ATTACHMENT, summaryRow } from ${JSON.stringify(path.join(ROOT, 'src/log-annotations.ts'))};

const measure = (testInfo, durationMs, notes) =>
  testInfo.attach(MEASUREMENT_ATTACHMENT, { body: JSON.stringify({ durationMs, notes }), contentType: 'application/json' });

test('Vehicles Table', { annotation: summaryRow('Vehicles Table') }, async ({}, testInfo) => {
  if (testInfo.retry === 0) throw new Error('0 rows visible on the first try');
  await measure(testInfo, 41, '12 rows visible');
});

test('Branches Table', { annotation: summaryRow('Branches Table') }, async ({}, testInfo) => {
  await measure(testInfo, 12, '3 rows visible');
});
`,
  );
  fs.writeFileSync(
    path.join(dir, 'playwright.config.ts'),
    `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  retries: 1,
  workers: 1,
  reporter: [
    [${JSON.stringify(path.join(ROOT, 'reporters/promotion-log-reporter.ts'))}, { logPath: 'log.md' }],
    [${JSON.stringify(path.join(ROOT, 'reporters/summary-json-reporter.ts'))}, { outputFile: 'summary.json' }],
  ],
});
`,
  );
  const run = spawnSync('pnpm', ['exec', 'playwright', 'test', '-c', path.join(dir, 'playwright.config.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: cleanEnv({ CI: '', SMOKE_RUN_ID: 'gate-flaky-run', SMOKE_ENV: 'gate-proof' }),
  });
  return { dir, code: run.status, output: run.stdout + run.stderr, log: path.join(dir, 'log.md'), summary: path.join(dir, 'summary.json') };
}

async function smokeAndMonitor(faults?: string) {
  const dir = tempDir('gate-proof');
  const log = path.join(dir, 'log.md');
  const out = path.join(dir, 'test-results');
  const smoke = await runScript('scripts/test-smoke.ts', [`--log=${log}`], { env: { SMOKE_OUTPUT_DIR: out, ...(faults ? { SANDBOX_FAULTS: faults } : {}) } });
  const monitor = await runScript('scripts/monitor.ts', ['--duration=6s', '--interval=1s', '--time-scale=600', '--samples=6', `--thresholds=${calmThresholds(dir)}`, `--log=${log}`]);
  return { dir, log, summary: path.join(out, 'summary.json'), smoke, monitor };
}

describe('pnpm gate and pnpm release:tag', () => {
  it('pass after a clean run and window, and create the annotated tag', async () => {
    const run = await smokeAndMonitor();
    expect(run.smoke.code, run.smoke.stderr).toBe(0);
    expect(run.monitor.code, run.monitor.stderr).toBe(0);
    const gate = await runScript('scripts/gate.ts', [`--log=${run.log}`, `--summary=${run.summary}`]);
    expect(gate.code, gate.stdout + gate.stderr).toBe(0);
    expect(gate.stdout).toMatch(/^gate: PASSED/);

    const repo = tempDir('gate-repo');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '--allow-empty', '-m', 'release');
    const tag = await runScript('scripts/release-tag.ts', ['v1.2.3', `--log=${run.log}`, `--summary=${run.summary}`], {
      cwd: repo,
      env: { GIT_COMMITTER_NAME: 'CI', GIT_COMMITTER_EMAIL: 'ci@example.com', GIT_AUTHOR_NAME: 'CI', GIT_AUTHOR_EMAIL: 'ci@example.com' },
    });
    expect(tag.code, tag.stdout + tag.stderr).toBe(0);
    expect(git('cat-file', '-t', 'v1.2.3')).toBe('tag');
    expect(git('tag', '-l', '--format=%(contents:subject)', 'v1.2.3')).toBe('Release v1.2.3 - Marsana Fleet');
  });

  it('fail after a failed check, listing it, and refuse the tag', async () => {
    const run = await smokeAndMonitor('rls_hide=vehicles');
    expect(run.smoke.code).toBe(1);
    const gate = await runScript('scripts/gate.ts', [`--log=${run.log}`, `--summary=${run.summary}`]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain('- check failed: Vehicles Table (0 rows visible)');
    const repo = tempDir('gate-repo');
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const tag = await runScript('scripts/release-tag.ts', ['v1.2.4', `--log=${run.log}`, `--summary=${run.summary}`], { cwd: repo });
    expect(tag.code).toBe(1);
    expect(execFileSync('git', ['tag', '-l'], { cwd: repo, encoding: 'utf8' }).trim()).toBe('');
  });

  it('fail after a check that passed only on its retry, naming it as flaky; --allow-flaky accepts it', async () => {
    const run = flakyRun();
    try {
      // Playwright itself lets a retry-only pass through (exit 0): the gate is what refuses it.
      expect(run.code, run.output).toBe(0);
      const summary = JSON.parse(fs.readFileSync(run.summary, 'utf8')) as RunSummary;
      expect(summary).toMatchObject({ runId: 'gate-flaky-run', status: 'flaky', counts: { total: 2, passed: 1, flaky: 1, failed: 0, skipped: 0 } });
      expect(summary.checks.map((c) => `${c.name}: ${c.status} in ${c.attempts}`)).toEqual(['Vehicles Table: flaky in 2', 'Branches Table: passed in 1']);

      const gateOn = (...flags: string[]) => runScript('scripts/gate.ts', [`--log=${run.log}`, `--summary=${run.summary}`, ...flags]);
      const [gate, allowed, windowRequired] = await Promise.all([
        // The default policy but for the monitoring window, which this run has none of (its rows are still ⏳).
        gateOn('--no-monitoring'),
        gateOn('--no-monitoring', '--allow-flaky'),
        gateOn('--allow-flaky'),
      ]);
      expect(gate.code, gate.stdout + gate.stderr).toBe(1);
      expect(gate.stdout).toBe('gate: FAILED: 1 criterion not met\n- check flaky, passed only on retry: Vehicles Table (0 rows visible on the first try)\n');

      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
      expect(allowed.stdout).toBe('gate: PASSED: promotion may proceed (smoke run gate-flaky-run)\n');

      // --allow-flaky accepts the retry and nothing else: with the window required, its ⏳ rows still fail the gate.
      expect(windowRequired.code).toBe(1);
      expect(windowRequired.stdout).toMatch(/^- monitoring incomplete: /m);
      expect(windowRequired.stdout).not.toContain('flaky');
    } finally {
      fs.rmSync(run.dir, { recursive: true, force: true });
    }
  });

  it('refuse bad input with exit 2', async () => {
    const tag = await runScript('scripts/release-tag.ts', ['1.2']);
    expect(tag.code).toBe(2);
    expect(tag.stderr.trim()).toBe('release:tag: "1.2" is not a release tag like v1.2.3');
  });
});
