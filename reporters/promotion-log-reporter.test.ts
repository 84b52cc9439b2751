/**
 * Runs the real Playwright runner on a small generated spec in a temporary folder, with this reporter, and
 * asserts on the exact log it writes (as Playwright tests its own reporters). API-level tests only: no browser.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from './summary/summary.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORTER = path.join(ROOT, 'reporters/promotion-log-reporter.ts');
const SUMMARY_REPORTER = path.join(ROOT, 'reporters/summary-json-reporter.ts');
const TEMPLATE = fs.readFileSync(path.join(ROOT, 'reporters/templates/promotion-log.md'), 'utf8');
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

const SPEC = (shot: string) => `
import { expect, test } from '@playwright/test';
import { CHECKBOX, MEASUREMENT_ATTACHMENT, summaryRow, testSection } from ${JSON.stringify(path.join(ROOT, 'src/log-annotations.ts'))};

const measure = (testInfo, durationMs, notes) =>
  testInfo.attach(MEASUREMENT_ATTACHMENT, { body: JSON.stringify({ durationMs, notes }), contentType: 'application/json' });
const SHOT = ${JSON.stringify(shot)};

test('Vehicles Table', { annotation: summaryRow('Vehicles Table') }, async ({}, testInfo) => {
  await measure(testInfo, 41, '12 rows visible');
});

test('Authentication', { annotation: summaryRow('Authentication') }, async ({}, testInfo) => {
  if (testInfo.retry === 0) throw new Error('sign-in failed: fetch failed');
  await measure(testInfo, 3, 'signed in');
});

test('Audit Logs', { annotation: [summaryRow('Audit Logs'), CHECKBOX.databaseConnection] }, async () => {
  expect(0, 'audit rows visible').toBeGreaterThan(0);
});

test('Branches Table', { annotation: summaryRow('Branches Table') }, async () => {
  test.skip(true, 'no branches in this environment');
});

test('Login Test', { annotation: [testSection('Login Test'), CHECKBOX.productionUrl] }, async ({}, testInfo) => {
  await test.step('Open the login page', async () => {});
  await test.step('Sign in', async () => {});
  await testInfo.attach('screenshot', { path: SHOT, contentType: 'image/png' });
});

test('Vehicles List Test', { annotation: testSection('Vehicles List Test') }, async () => {
  await test.step('Open /vehicles', async () => {});
  await test.step('Rows appear', async () => {
    throw new Error('expected at least 1 vehicle row, saw 0');
  });
});

test('Geofence Test', { annotation: testSection('Geofence Test') }, async () => {});

test('Target Configuration', { annotation: CHECKBOX.environmentVariables }, async () => {});

test('not in the log', async () => {});
`;

const CONFIG = (reporterOptions: object | undefined) => `
import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  retries: 1,
  workers: 1,
  reporter: [[${JSON.stringify(REPORTER)}${reporterOptions ? `, ${JSON.stringify(reporterOptions)}` : ''}], [${JSON.stringify(SUMMARY_REPORTER)}]],
});
`;

/** What the run writes into section 5, with the times that vary replaced by <t>. */
const EXPECTED_SMOKE_TESTS = `## 5. Smoke Tests

### Test Execution

**Timestamp**: <timestamp>

**Test Suite**: Production Smoke Tests

### Login Test

**Status**: ✅ PASSED

**Steps**:
1. Open the login page
2. Type the smoke user's credentials
3. Submit the form
4. Land on the dashboard
5. Confirm a session exists

**Expected Result**: ✅ Signed in and on the dashboard

**Actual Result**:
\`\`\`
✅ PASSED in <t> · run run-e2e-1 (e2e)
1. ✅ Open the login page (<t>)
2. ✅ Sign in (<t>)
\`\`\`

**Screenshot**: [login-test.png](screenshots/login-test.png)

---

### Vehicles List Test

**Status**: ❌ FAILED

**Steps**:
1. Open /vehicles
2. Rows appear
3. Search narrows the rows
4. Filters narrow the rows
5. A change shows up without reload

**Expected Result**: ✅ The list loads and follows changes live

**Actual Result**:
\`\`\`
❌ FAILED: expected at least 1 vehicle row, saw 0
1. ✅ Open /vehicles (<t>)
2. ❌ Rows appear (<t>)
Failed after 2 attempts in <t> · run run-e2e-1 (e2e)
\`\`\`

**Screenshot**: none
`;

const EXPECTED_SUMMARY = `| Test | Status | Duration | Notes |
|------|--------|----------|-------|
| Database Connection | ⏳ | - | |
| Vehicles Table | ✅ | 41ms | 12 rows visible |
| Handshakes Table | ⏳ | - | |
| Inspections Table | ⏳ | - | |
| Alerts Table | ⏳ | - | |
| Audit Logs | ❌ | <t> | audit rows visible |
| Branches Table | ⏭️ | 0ms | no branches in this environment |
| Corporates Table | ⏳ | - | |
| API Health | ⏳ | - | |
| Authentication | ⚠️ | 3ms | signed in |
| Login Test | ✅ | <t> | passed |
| Vehicles List Test | ❌ | <t> | expected at least 1 vehicle row, saw 0 |
| Vehicle Details Test | ⏳ | - | |
| Handshake Create Test | ⏳ | - | |
| Handshake Accept Test | ⏳ | - | |
| Inspection Create Test | ⏳ | - | |
| Schema Tables | ⏳ | - | |
| RLS Policies | ⏳ | - | |
| Indexes | ⏳ | - | |
| Audit Triggers | ⏳ | - | |
| Audit Trail | ⏳ | - | |
| Data Integrity | ⏳ | - | |
| Anonymous Access | ⏳ | - | |
| Tenant Isolation | ⏳ | - | |
| Refused Writes | ⏳ | - | |
| Audit Log Immutable | ⏳ | - | |
| Service Key Exposure | ⏳ | - | |
| Security Headers | ⏳ | - | |
| Geofence Test | ✅ | <t> | passed |
| **Total** | **❌ 4/7** | **<t>** | 2 failed: Audit Logs, Vehicles List Test; 1 flaky: Authentication; 1 skipped: Branches Table |

**Duration Chart**: ![Smoke check durations](charts/smoke-durations.svg)

**Overall Status**: ❌ FAILED (2 of 8 checks failed)
`;

/** Section 3 after the run: Login Test passed, Audit Logs failed, the configuration check passed. */
const EXPECTED_DEPLOYMENT_BOXES = `- [ ] Deployment finished
- [ ] Build had no errors
- [x] Production URL accessible
- [ ] API endpoints responding
- [ ] Database connection working
- [ ] Real-time subscriptions active
- [x] Environment variables set correctly
`;

function normalize(log: string): string {
  return log
    .replace(/\*\*Timestamp\*\*: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/, '**Timestamp**: <timestamp>')
    .replace(/\*\*Last Updated\*\*: \d{4}-\d\d-\d\d \d\d:\d\d UTC/, '**Last Updated**: <time>')
    .replace(/\((\d+ms|\d+\.\d\ds)\)/g, '(<t>)')
    .replace(/ in (\d+ms|\d+\.\d\ds) · /g, ' in <t> · ')
    .replace(/(\| (?:Audit Logs|Login Test|Vehicles List Test|Geofence Test) \| \S+ \| )\d+ms/g, '$1<t>')
    .replace(/(\| \*\*Total\*\* \| .*? \| \*\*)\d+ms/, '$1<t>');
}

/** summary.json without what differs between two runs of the same checks: times and durations. */
function normalizeSummary(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'), (key, value: unknown) =>
    ['startedAt', 'finishedAt', 'durationMs', 'samplesMs', 'latency', 'runId'].includes(key) ? '<varies>' : value,
  );
}

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  return text.slice(from, text.indexOf(end, from));
}

/** `pnpm exec` runs from the project root; paths handed to the run are therefore absolute. */
function playwright(args: string[], env: Record<string, string>) {
  const run = spawnSync('pnpm', ['exec', 'playwright', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: '', SMOKE_RUN_ID: 'run-e2e-1', SMOKE_ENV: 'e2e', ...env },
  });
  return { code: run.status, stderr: run.stderr, stdout: run.stdout };
}

describe('promotion-log reporter under the real Playwright runner', () => {
  let dir: string;
  beforeAll(() => {
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    // Inside the project, so the spec resolves @playwright/test from its node_modules.
    dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'reporter-e2e-'));
    fs.writeFileSync(path.join(dir, 'checks.spec.ts'), SPEC(path.join(dir, 'shot.png')));
    fs.writeFileSync(path.join(dir, 'shot.png'), PNG);
    fs.writeFileSync(path.join(dir, 'playwright.config.ts'), CONFIG({ logPath: 'promotion/log.md' }));
    fs.writeFileSync(path.join(dir, 'merge.config.ts'), CONFIG(undefined));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the exact results into a log made from the template', () => {
    const run = playwright(['test', '-c', path.join(dir, 'playwright.config.ts')], {
      // The reporter option wins over the environment variable.
      PROMOTION_LOG: path.join(dir, 'not-this/log.md'),
      PROMOTION_LOG_STATUS: path.join(dir, 'status.json'),
      SMOKE_SUMMARY: path.join(dir, 'summary.json'),
      SMOKE_RELEASE: 'v9.9.9',
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);

    const log = normalize(fs.readFileSync(path.join(dir, 'promotion/log.md'), 'utf8'));
    expect(between(log, '## 5. Smoke Tests', '### Vehicle Details Test')).toBe(EXPECTED_SMOKE_TESTS + '\n---\n\n');
    expect(between(log, '| Test | Status |', '\n---\n')).toBe(EXPECTED_SUMMARY);
    expect(between(log, '- [ ] Deployment finished', '\n**Deployment Details**')).toBe(EXPECTED_DEPLOYMENT_BOXES);
    // Everything outside section 5 is the template's, but for the boxes of section 3 and the update time.
    const outside = (text: string) => text.slice(0, text.indexOf('## 5. Smoke Tests')) + text.slice(text.indexOf('## 6. Monitoring'));
    expect(outside(log)).toBe(
      outside(TEMPLATE)
        .replace('- [ ] Production URL accessible', '- [x] Production URL accessible')
        .replace('- [ ] Environment variables set correctly', '- [x] Environment variables set correctly')
        .replace('**Last Updated**: [Pending]', '**Last Updated**: <time>'),
    );
    expect(fs.readFileSync(path.join(dir, 'promotion/charts/smoke-durations.svg'), 'utf8')).toMatch(/^<svg [^>]*aria-label="Smoke check durations"/);

    expect(fs.readFileSync(path.join(dir, 'promotion/screenshots/login-test.png')).equals(PNG)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'not-this'))).toBe(false);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary).toMatchObject({ runId: 'run-e2e-1', env: 'e2e', release: 'v9.9.9', status: 'failed', counts: { total: 8, passed: 4, failed: 2, flaky: 1, skipped: 1 } });
    expect(summary.checks.map((c) => `${c.name}: ${c.kind} ${c.status}`)).toEqual([
      'Vehicles Table: summary-row passed',
      'Authentication: summary-row flaky',
      'Audit Logs: summary-row failed',
      'Branches Table: summary-row skipped',
      'Login Test: test-section passed',
      'Vehicles List Test: test-section failed',
      'Geofence Test: test-section passed',
      'Target Configuration: verification passed',
    ]);
    expect(summary.checks.find((c) => c.name === 'Vehicles Table')).toMatchObject({ durationMs: 41, samplesMs: [41], notes: '12 rows visible' });
    const warnings = [
      'test section "Geofence Test" not found under "Smoke Tests"; its result was not written',
      'summary row "Geofence Test" not found; added it to the "Smoke Test Summary" table',
    ];
    for (const warning of warnings) expect(run.stderr).toContain(`promotion-log: ${warning}\n`);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'status.json'), 'utf8'))).toEqual({
      ok: true,
      logPath: path.join(dir, 'promotion/log.md'),
      warnings,
      failed: ['Audit Logs', 'Vehicles List Test'],
      flaky: ['Authentication'],
    });
  });

  it('writes the same log from blob reports merged with merge-reports', () => {
    const blobDir = path.join(dir, 'blob');
    const blob = playwright(['test', '-c', path.join(dir, 'playwright.config.ts'), '--reporter=blob'], { PLAYWRIGHT_BLOB_OUTPUT_DIR: blobDir });
    expect(blob.code, blob.stdout + blob.stderr).toBe(1);
    expect(fs.existsSync(path.join(dir, 'merged'))).toBe(false);

    const merge = playwright(['merge-reports', '-c', path.join(dir, 'merge.config.ts'), blobDir], {
      PROMOTION_LOG: path.join(dir, 'merged/log.md'),
      SMOKE_SUMMARY: path.join(dir, 'merged/summary.json'),
      SMOKE_RELEASE: 'v9.9.9',
    });
    expect(merge.stderr).toContain('promotion-log: test section "Geofence Test" not found');
    const merged = normalize(fs.readFileSync(path.join(dir, 'merged/log.md'), 'utf8'));
    expect(merged).toBe(normalize(fs.readFileSync(path.join(dir, 'promotion/log.md'), 'utf8')));
    expect(fs.readFileSync(path.join(dir, 'merged/screenshots/login-test.png')).equals(PNG)).toBe(true);
    expect(normalizeSummary(path.join(dir, 'merged/summary.json'))).toEqual(normalizeSummary(path.join(dir, 'summary.json')));
  });

  it('reports a log it cannot write through the status file', () => {
    fs.writeFileSync(path.join(dir, 'notes.md'), '# Not a log\n');
    const run = playwright(['test', '-c', path.join(dir, 'merge.config.ts'), '--grep', 'Vehicles Table'], {
      PROMOTION_LOG: path.join(dir, 'notes.md'),
      PROMOTION_LOG_STATUS: path.join(dir, 'status-bad.json'),
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const error = `${path.join(dir, 'notes.md')}: not a promotion log: no "Smoke Tests" heading and no "Smoke Test Summary" table`;
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'status-bad.json'), 'utf8'))).toEqual({ ok: false, error });
    expect(run.stderr).toContain(`promotion-log: not written: ${error}\n`);
    expect(fs.readFileSync(path.join(dir, 'notes.md'), 'utf8')).toBe('# Not a log\n');
    // Nothing was put beside it either.
    expect(fs.existsSync(path.join(dir, 'charts')) || fs.existsSync(path.join(dir, 'screenshots'))).toBe(false);
  });
});
