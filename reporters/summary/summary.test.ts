import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mixedRun, passedRun, row } from '../promotion-log/__fixtures__/results.ts';
import { buildSummary, percentiles } from './summary.ts';

const fixture = (name: string) => new URL(`../promotion-log/__fixtures__/${name}`, import.meta.url);

function expectGolden(actual: string, name: string) {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture(name), actual);
  expect(actual).toBe(readFileSync(fixture(name), 'utf8'));
}

describe('buildSummary', () => {
  it('lists every check and flow with status, durations, samples, checkboxes and details (golden)', () => {
    const run = { ...mixedRun(), release: 'v2.4.0', commit: '9f1c2ab', deploymentId: 'dpl_7Hq2', baseUrl: 'https://fleet.example.test' };
    expectGolden(`${JSON.stringify(buildSummary(run), null, 2)}\n`, 'summary.mixed.golden.json');
  });

  it('counts statuses like the log does', () => {
    expect(buildSummary(passedRun())).toMatchObject({ status: 'passed', counts: { total: 15, passed: 15, failed: 0, flaky: 0, skipped: 0 } });
    expect(buildSummary(mixedRun())).toMatchObject({ status: 'failed', counts: { total: 15, passed: 8, failed: 3, flaky: 2, skipped: 2 } });
    expect(buildSummary({ ...passedRun(), checks: [row('API Health', 'flaky', 9, 'ok')] }).status).toBe('flaky');
    expect(buildSummary({ ...passedRun(), checks: [row('API Health', 'skipped', 0, 'offline')] }).status).toBe('no-checks');
    expect(buildSummary({ ...passedRun(), interrupted: true })).toMatchObject({ status: 'interrupted', interrupted: true });
    expect(buildSummary(passedRun())).not.toHaveProperty('interrupted');
  });

  it('takes latency over the passing API and database checks, using their own samples when they took several', () => {
    const run = {
      ...passedRun(),
      checks: [row('API Health', 'passed', 120, 'ok', { samplesMs: [100, 110, 120, 300] }), row('Vehicles Table', 'passed', 40, 'ok'), row('Alerts Table', 'failed', 10_000, 'timeout')],
    };
    const summary = buildSummary(run);
    expect(summary.latency).toEqual({ count: 5, min: 40, p50: 110, p90: 300, p95: 300, p99: 300, max: 300, mean: 134 });
    expect(summary.checks[0]?.latency).toMatchObject({ count: 4, p50: 110, max: 300 });
    expect(summary.checks[1]?.latency).toBeNull();
  });

  it('says which checkboxes the run verified, and by which checks', () => {
    const verification = buildSummary(mixedRun()).verification;
    expect(verification.find((v) => v.item === 'Production URL accessible')).toEqual({
      section: 'Deployment Verification',
      item: 'Production URL accessible',
      verified: false,
      by: ['API Health', 'Login Test'],
    });
    expect(verification.find((v) => v.item === 'Database connection working')?.verified).toBe(true);
  });
});

describe('percentiles', () => {
  it('uses nearest rank: every figure is a measured value', () => {
    expect(percentiles([])).toBeNull();
    expect(percentiles([7])).toEqual({ count: 1, min: 7, p50: 7, p90: 7, p95: 7, p99: 7, max: 7, mean: 7 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(hundred)).toMatchObject({ p50: 50, p90: 90, p95: 95, p99: 99, max: 100, min: 1 });
  });
});
