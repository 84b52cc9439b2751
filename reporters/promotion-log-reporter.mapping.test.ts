/** How the reporter turns one Playwright test into a CheckResult, on hand-built test cases. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { describe, expect, it } from 'vitest';
import { CHECKBOX, MEASUREMENT_ATTACHMENT, summaryRow, testSection } from '../src/log-annotations.ts';
import { resolveLogPath, slug, toCheckResult } from './promotion-log-reporter.ts';

type Outcome = ReturnType<TestCase['outcome']>;

function result(over: Partial<TestResult> = {}): TestResult {
  return {
    annotations: [],
    attachments: [],
    duration: 1234,
    errors: [],
    parallelIndex: 0,
    retry: 0,
    startTime: new Date(0),
    status: 'passed',
    stderr: [],
    stdout: [],
    steps: [],
    workerIndex: 0,
    ...over,
  };
}

function testCase(outcome: Outcome, results: TestResult[], annotations = [summaryRow('API Health')]): TestCase {
  return { title: 'a test', annotations, results, outcome: () => outcome } as unknown as TestCase;
}

const step = (title: string, category: string, duration: number, failed = false) =>
  ({ title, category, duration, error: failed ? { message: 'boom' } : undefined, steps: [] }) as unknown as TestStep;

const measurement = (durationMs: number, notes: string) => ({
  name: MEASUREMENT_ATTACHMENT,
  contentType: 'application/json',
  body: Buffer.from(JSON.stringify({ durationMs, notes })),
});

describe('toCheckResult', () => {
  it('takes duration and notes from the measurement of the last attempt', () => {
    const warnings: string[] = [];
    const check = toCheckResult(testCase('expected', [result({ attachments: [measurement(41, '12 rows visible')] })]), '/p', warnings);
    expect(check).toEqual({
      name: 'API Health',
      place: { kind: 'summary-row', row: 'API Health' },
      status: 'passed',
      durationMs: 41,
      notes: '12 rows visible',
      steps: [],
      error: undefined,
      screenshotPath: undefined,
      evidencePath: undefined,
      attempts: 1,
    });
    expect(warnings).toEqual([]);
  });

  it('calls a pass on retry flaky and keeps the earlier failure', () => {
    const failed = result({ status: 'failed', error: { message: '\u001b[31mError: fetch failed\u001b[39m\n    at x.ts:1' } });
    const check = toCheckResult(testCase('flaky', [failed, result({ retry: 1 })]), '/p', []);
    expect(check).toMatchObject({ status: 'flaky', error: 'fetch failed', attempts: 2, durationMs: 1234, notes: '' });
  });

  it('uses the first line of the error, without colours, as the notes of a failure', () => {
    const error = { message: '\u001b[2mexpect(\u001b[22m\u001b[31mreceived\u001b[39m).toBe(expected)\n\nExpected: 1' };
    const check = toCheckResult(testCase('unexpected', [result({ status: 'failed', error })]), '/p', []);
    expect(check).toMatchObject({ status: 'failed', notes: 'expect(received).toBe(expected)', error: 'expect(received).toBe(expected)' });
  });

  it('gives a skip its reason and no duration', () => {
    const skipped = result({ status: 'skipped', annotations: [{ type: 'skip', description: 'no smoke user' }] });
    expect(toCheckResult(testCase('skipped', [skipped]), '/p', [])).toMatchObject({ status: 'skipped', notes: 'no smoke user', durationMs: 0 });
  });

  it('keeps top-level test.step steps, the last screenshot and the trace relative to the project', () => {
    const last = result({
      steps: [
        step('Before Hooks', 'hook', 5),
        step('Open the login page', 'test.step', 120),
        step('expect', 'expect', 3),
        step('Sign in', 'test.step', 900, true),
      ],
      attachments: [
        { name: 'screenshot', contentType: 'image/png', path: '/p/test-results/a.png' },
        { name: 'inline', contentType: 'image/png', body: Buffer.from('') },
        { name: 'screenshot', contentType: 'image/png', path: '/p/test-results/b.png' },
        { name: 'trace', contentType: 'application/zip', path: '/p/test-results/login/trace.zip' },
      ],
    });
    const check = toCheckResult(testCase('unexpected', [last], [testSection('Login Test')]), '/p', []);
    expect(check).toMatchObject({
      name: 'Login Test',
      place: { kind: 'test-section', heading: 'Login Test' },
      steps: [
        { title: 'Open the login page', durationMs: 120, ok: true },
        { title: 'Sign in', durationMs: 900, ok: false },
      ],
      screenshotPath: '/p/test-results/b.png',
      evidencePath: 'test-results/login/trace.zip',
    });
  });

  it('reads a measurement attached as a file, and warns about a broken one', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'measure-')), 'm.json');
    fs.writeFileSync(file, JSON.stringify({ durationMs: 7, notes: 'from a file' }));
    const fromFile = { name: MEASUREMENT_ATTACHMENT, contentType: 'application/json', path: file };
    expect(toCheckResult(testCase('expected', [result({ attachments: [fromFile] })]), '/p', [])).toMatchObject({ durationMs: 7, notes: 'from a file' });

    const warnings: string[] = [];
    const broken = { name: MEASUREMENT_ATTACHMENT, contentType: 'application/json', body: Buffer.from('{"notes":"x"}') };
    expect(toCheckResult(testCase('expected', [result({ attachments: [broken] })]), '/p', warnings)).toMatchObject({ durationMs: 1234 });
    expect(warnings).toEqual(['"API Health": measurement attachment ignored (no durationMs)']);
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('reads checkbox claims, with or without a place, and the details and samples of the measurement', () => {
    const withDetails = {
      name: MEASUREMENT_ATTACHMENT,
      contentType: 'application/json',
      body: Buffer.from(
        JSON.stringify({ durationMs: 88, notes: 'schema as expected', samplesMs: [40, 'x', 48], details: [{ list: 'Migration Details', items: { Indexes: '3 found' } }, { list: 7 }] }),
      ),
    };
    const claimsOnly = toCheckResult(
      { ...testCase('expected', [result({ attachments: [withDetails] })], [CHECKBOX.tablesPresent, CHECKBOX.indexesCreated, CHECKBOX.tablesPresent]), title: 'Database Catalog' } as unknown as TestCase,
      '/p',
      [],
    );
    expect(claimsOnly).toMatchObject({
      name: 'Database Catalog',
      status: 'passed',
      verifies: [
        { section: 'Migration Verification', item: 'All tables present' },
        { section: 'Migration Verification', item: 'Indexes created' },
      ],
      details: [{ list: 'Migration Details', items: { Indexes: '3 found' } }],
      samplesMs: [40, 48],
    });
    expect(claimsOnly).not.toHaveProperty('place');
    const both = toCheckResult(testCase('expected', [result()], [summaryRow('API Health'), CHECKBOX.apiEndpoints]), '/p', []);
    expect(both).toMatchObject({ name: 'API Health', place: { kind: 'summary-row', row: 'API Health' }, verifies: [{ item: 'API endpoints responding' }] });
  });

  it('finds a place added while the test ran, and warns about one it cannot read', () => {
    const runtime = result({ annotations: [testSection('Vehicles List Test')] });
    expect(toCheckResult(testCase('expected', [runtime], []), '/p', [])?.name).toBe('Vehicles List Test');

    const warnings: string[] = [];
    expect(toCheckResult(testCase('expected', [result()], [{ type: 'promotion-log', description: 'row:API' }]), '/p', warnings)).toBeUndefined();
    expect(warnings).toEqual(['test "a test": annotation "row:API" names no place in the log']);
  });
});

describe('reporter options', () => {
  it('resolves the log path: option, then PROMOTION_LOG, then the default', () => {
    expect(resolveLogPath('logs/a.md', 'env.md', '/config', '/cwd')).toBe('/config/logs/a.md');
    expect(resolveLogPath(undefined, 'env.md', '/config', '/cwd')).toBe('/cwd/env.md');
    expect(resolveLogPath(undefined, undefined, '/config', '/cwd')).toBe('/config/promotion/promotion-log.md');
    expect(resolveLogPath(undefined, '', '/config', '/cwd')).toBe('/config/promotion/promotion-log.md');
  });

  it('names screenshot files after the check', () => {
    expect(slug('Vehicles List Test')).toBe('vehicles-list-test');
    expect(slug('  Hand-shake: Créer / Accept  ')).toBe('hand-shake-creer-accept');
    expect(slug('✅')).toBe('check');
  });
});
