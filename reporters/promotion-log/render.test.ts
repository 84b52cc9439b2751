import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CheckStatus, RunResults } from '../../src/results.ts';
import { catalogCheck, mixedRun, NOW, passedRun, row, screenshotLinks, section } from './__fixtures__/results.ts';
import { NotAPromotionLogError, renderPromotionLog } from './render.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);
const LOG = readFileSync(fixture('promotion-log.md'), 'utf8');
const TEMPLATE = readFileSync(new URL('../templates/promotion-log.md', import.meta.url), 'utf8');

const CHART = 'charts/smoke-durations.svg';

function render(text: string, run: RunResults, now = NOW) {
  return renderPromotionLog(text, run, { now, screenshotLinks: screenshotLinks(run), chartLink: CHART });
}

/** `UPDATE_GOLDEN=1 pnpm exec vitest run reporters` rewrites the golden files; review the diff before committing. */
function expectGolden(actual: string, name: string) {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture(name), actual);
  expect(actual).toBe(readFileSync(fixture(name), 'utf8'));
}

const crlf = (text: string) => text.replace(/\n/g, '\r\n');

/**
 * The lines of a log that the reporter may change, found by a plain line scan that shares no code with the
 * renderer: what it leaves out must come through byte for byte.
 */
function unownedLines(text: string, owned: string[]): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^## .*smoke tests\s*$/i.test(l));
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const lastUpdated = lines.map((l) => l.startsWith('**Last Updated**:')).lastIndexOf(true);
  const names = new Set(owned.map((n) => n.toLowerCase()));
  const migrationDetails = lines.indexOf('**Migration Details**:');
  let inActual = false;
  let fence = false;
  return lines.filter((line, i) => {
    if (i === lastUpdated) return false;
    // Sections 3 and 4: the claimed checkboxes and the measured details.
    if (/^- \[[ xX]\] (Production URL|API endpoints|Database connection|Environment variables|All \d* ?tables|RLS policies|Indexes created|Audit triggers)/.test(line)) return false;
    if (migrationDetails >= 0 && i > migrationDetails && i <= migrationDetails + 4) return false;
    if (line.startsWith('**Duration Chart**:') || (line === '' && lines[i + 1]?.startsWith('**Duration Chart**:'))) return false;
    if (start < 0 || i <= start || (end >= 0 && i >= end)) return true;
    if (/^\*\*(Timestamp|Status|Screenshot|Overall Status)\*\*:/.test(line)) return false;
    if (line.startsWith('**Actual Result**:')) inActual = true;
    else if (inActual && line.startsWith('```')) {
      fence = !fence;
      if (!fence) inActual = false;
    } else if (fence) return false;
    const cell = /^\| *(.*?) *\|/.exec(line)?.[1]?.replace(/\*\*/g, '').toLowerCase();
    return !(cell && (cell === 'total' || names.has(cell)));
  });
}

const allNames = (run: RunResults) => run.checks.map((c) => c.name);

describe('renderPromotionLog: golden files', () => {
  it('fills a log with every status', () => {
    const out = render(LOG, mixedRun());
    expect(out.warnings).toEqual([]);
    expectGolden(out.text, 'promotion-log.mixed.golden.md');
  });

  it('fills a log where everything passed', () => {
    const out = render(LOG, passedRun());
    expect(out.warnings).toEqual([]);
    expectGolden(out.text, 'promotion-log.passed.golden.md');
  });

  it('fills the bundled template without warnings', () => {
    const out = render(TEMPLATE, mixedRun());
    expect(out.warnings).toEqual([]);
    expectGolden(out.text, 'template.mixed.golden.md');
  });
});

describe('renderPromotionLog: what it does not own stays as it was', () => {
  it('changes only the owned lines', () => {
    const run = mixedRun();
    const out = render(LOG, run).text;
    expect(unownedLines(out, allNames(run))).toEqual(unownedLines(LOG, allNames(run)));
    expect(out).not.toBe(LOG);
  });

  it('keeps CRLF endings and writes its own lines with CRLF', () => {
    const out = render(crlf(LOG), mixedRun()).text;
    expect(out).toBe(crlf(render(LOG, mixedRun()).text));
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('keeps trailing spaces, team rows, team sections and text around the table', () => {
    const custom = LOG.replace('**Status**: ⏳ PENDING\n\n**Steps**:\n1. Open the login page', '**Status**: ⏳ PENDING  \n\n**Steps**:\n1. Open the login page')
      .replace('| **Total** |', '| Storage Bucket | ✅ | 12ms | checked by hand \\| twice |\n| **Total** |')
      .replace('\n**Overall Status**:', 'Rows below the line were run by hand.\n\n**Overall Status**:')
      .replace(
        '### Smoke Test Summary',
        '### Manual Exploratory Notes\n\n**Status**: done by hand   \n\n**Actual Result**:\n```\nlooked fine\n```\n\n---\n\n### Smoke Test Summary',
      )
      .replace('## 6. Monitoring', '## 5b. Team Notes\n\n| Test | Status |\n|---|---|\n| Vehicles Table | keep me |\n\n## 6. Monitoring');
    expect(custom).not.toBe(LOG);
    const run = mixedRun();
    const out = render(custom, run);
    expect(out.warnings).toEqual([]);
    expect(out.text).toContain('**Status**: ⚠️ FLAKY  \n\n**Steps**:\n1. Open the login page');
    expect(out.text).toContain('| Storage Bucket | ✅ | 12ms | checked by hand \\| twice |\n| **Total** | **❌ 9/13** |');
    // GFM reads a line right under a table as one more row, so the chart goes after it.
    expect(out.text).toContain('Rows below the line were run by hand.\n\n**Duration Chart**: ![Smoke check durations](charts/smoke-durations.svg)\n\n**Overall Status**: ❌ FAILED');
    expect(out.text).toContain('### Manual Exploratory Notes\n\n**Status**: done by hand   \n\n**Actual Result**:\n```\nlooked fine\n```');
    expect(out.text).toContain('| Vehicles Table | keep me |');
    expect(unownedLines(out.text, allNames(run))).toEqual(unownedLines(custom, allNames(run)));
  });
});

describe('renderPromotionLog: unusual but valid Markdown', () => {
  const login = (text: string) =>
    renderPromotionLog(text, { ...passedRun(), checks: [section('Login Test', 'passed')] }, { now: NOW, screenshotLinks: new Map() });

  it('keeps a byte order mark and still finds its places', () => {
    const out = render(`\uFEFF${LOG}`, mixedRun());
    expect(out.text).toBe(`\uFEFF${render(LOG, mixedRun()).text}`);
  });

  it('fills a tilde fence and keeps its fence lines', () => {
    const out = login('## Smoke Tests\n\n### Login Test\n\n**Actual Result**:\n~~~~ text\nold\n~~~~~\n');
    expect(out.text).toBe('## Smoke Tests\n\n### Login Test\n\n**Actual Result**:\n~~~~ text\n✅ PASSED in 2.41s · run smoke-20261203T183012Z-0a1b2c (prod)\n~~~~~\n');
  });

  it('leaves an unclosed fence alone, with a warning, instead of guessing where it ends', () => {
    const text = '## Smoke Tests\n\n### Login Test\n\n**Status**: x\n\n**Actual Result**:\n```\nold\n';
    const out = login(text);
    expect(out.text).toBe(text.replace('**Status**: x', '**Status**: ✅ PASSED'));
    expect(out.warnings).toContain('test section "Login Test": no closed fenced block right after "**Actual Result**:"; its actual result was not written');
  });

  it('accepts the colon inside the bold, and a value with no space before it', () => {
    const out = login('## Smoke Tests\n\n### Login Test\n\n**Status:** x\n**Screenshot**:\n');
    expect(out.text).toBe('## Smoke Tests\n\n### Login Test\n\n**Status:** ✅ PASSED\n**Screenshot**: none\n');
  });
});

describe('renderPromotionLog: reruns', () => {
  it('replaces the earlier results instead of adding a second copy', () => {
    const once = render(LOG, passedRun()).text;
    const twice = render(render(LOG, mixedRun()).text, passedRun()).text;
    expect(twice).toBe(once);
    expect(render(once, mixedRun()).text).toBe(render(LOG, mixedRun()).text);
  });

  it('gives the same text when the same run is rendered again', () => {
    const once = render(LOG, mixedRun()).text;
    expect(render(once, mixedRun()).text).toBe(once);
  });

  it('fills an already filled log (the golden output) like a fresh one', () => {
    const filled = readFileSync(fixture('promotion-log.mixed.golden.md'), 'utf8');
    expect(render(filled, passedRun()).text).toBe(readFileSync(fixture('promotion-log.passed.golden.md'), 'utf8'));
  });

  it('replaces a block it had to add the first time', () => {
    const inline = LOG.replace('**Actual Result**:\n```\n[Not run yet]\n```\n\n**Screenshot**: [Pending]\n\n---\n\n### Vehicles List Test', '**Actual Result**:\n\n**Screenshot**: [Pending]\n\n---\n\n### Vehicles List Test');
    expect(inline).not.toBe(LOG);
    const first = render(inline, mixedRun()).text;
    expect(first).toContain('**Actual Result**:\n```\n⚠️ FLAKY: passed on attempt 2');
    expect(render(first, passedRun()).text).toBe(render(inline, passedRun()).text);
    expect(render(first, passedRun()).text.match(/\*\*Actual Result\*\*:\n```\n✅ PASSED in 2\.41s/g)).toHaveLength(1);
  });
});

describe('renderPromotionLog: missing places', () => {
  it('warns about a test section the log does not have, still gives it a summary row, and writes the rest', () => {
    const run = passedRun();
    run.checks.push(section('Geofence Test', 'passed', { durationMs: 640, notes: '3 geofences' }));
    const out = render(LOG, run);
    expect(out.warnings).toEqual([
      'test section "Geofence Test" not found under "Smoke Tests"; its result was not written',
      'summary row "Geofence Test" not found; added it to the "Smoke Test Summary" table',
    ]);
    expect(out.text).toBe(
      render(LOG, passedRun())
        .text.replace('| **Total** | **✅ 13/13** | **8333ms** |', '| Geofence Test | ✅ | 640ms | 3 geofences |\n| **Total** | **✅ 14/14** | **8973ms** |'),
    );
  });

  it('adds a missing summary row above Total, with a warning', () => {
    const log = LOG.replace('| Audit Logs | ✅ | 30ms | Table accessible |\n', '');
    const out = render(log, passedRun());
    expect(out.warnings).toEqual(['summary row "Audit Logs" not found; added it to the "Smoke Test Summary" table']);
    expect(out.text).toContain(
      '| Vehicle Details Test | ✅ | 980ms | 3 tabs, 2 documents |\n' +
        '| Audit Logs | ✅ | 27ms | 25 rows visible, all of the smoke tenant |\n' +
        '| **Total** | **✅ 13/13** | **8333ms** | All tests passed |',
    );
  });

  it('adds a Total row when the table has none, and the chart after it', () => {
    const log = LOG.replace(/\| \*\*Total\*\* \|.*\n/, '');
    const out = render(log, passedRun());
    expect(out.warnings).toEqual(['the "Smoke Test Summary" table had no Total row; added one']);
    expect(out.text).toContain(
      '| Vehicle Details Test | ✅ | 980ms | 3 tabs, 2 documents |\n| **Total** | **✅ 13/13** | **8333ms** | All tests passed |\n\n' +
        '**Duration Chart**: ![Smoke check durations](charts/smoke-durations.svg)\n\n**Overall Status**: ✅ PASSED',
    );
  });

  it('warns when the summary table is missing, and still writes the test sections', () => {
    const start = LOG.indexOf('### Smoke Test Summary');
    const log = LOG.slice(0, start) + LOG.slice(LOG.indexOf('**Overall Status**'));
    const out = render(log, passedRun());
    expect(out.warnings).toEqual([
      '"Smoke Test Summary" table not found; 13 row result(s) not written: Database Connection, Vehicles Table, Handshakes Table, Inspections Table, Alerts Table, Audit Logs, Branches Table, Corporates Table, API Health, Authentication, Login Test, Vehicles List Test, Vehicle Details Test',
    ]);
    expect(out.text).toContain('**Status**: ✅ PASSED');
    expect(out.text).toContain('**Overall Status**: ✅ PASSED');
    expect(out.text).not.toContain('Duration Chart');
  });

  it('warns about missing fields and blocks, never throws', () => {
    const log = LOG.replace('**Timestamp**: [Pending]\n\n**Test Suite**', '**Test Suite**')
      .replace('**Overall Status**: ✅ PASSED', 'Overall: fine')
      .replace('**Last Updated**: 2026-12-02', 'Updated: yesterday')
      .replace('### Login Test\n\n**Status**: ⏳ PENDING', '### Login Test\n\nStatus unknown');
    const out = render(log, passedRun());
    expect(out.warnings).toEqual([
      'no "**Timestamp**:" line under "Smoke Tests"; the run time was not written',
      'test section "Login Test" has no "**Status**:" line; its status was not written',
      'no "**Overall Status**:" line under "Smoke Tests"; the overall status was not written',
      'no "**Last Updated**:" line; the update time was not written',
    ]);
    expect(out.text).toContain('Updated: yesterday');
    expect(out.text).toContain('✅ PASSED in 2.41s');
  });

  it('writes the summary of a log that has only the summary table', () => {
    const log = '# Notes\n\n### Smoke Test Summary\n\n| Test | Status | Duration | Notes |\n|---|---|---|---|\n| API Health | ⏳ | - | |\n| **Total** | | | |\n\n**Overall Status**: ⏳\n';
    const run = { ...passedRun(), checks: [row('API Health', 'passed', 330, 'HTTP 200', { verifies: [] })] };
    const out = renderPromotionLog(log, run, { now: NOW, screenshotLinks: new Map() });
    expect(out.text).toBe(
      '# Notes\n\n### Smoke Test Summary\n\n| Test | Status | Duration | Notes |\n|---|---|---|---|\n| API Health | ✅ | 330ms | HTTP 200 |\n| **Total** | **✅ 1/1** | **330ms** | All tests passed |\n\n**Overall Status**: ✅ PASSED\n',
    );
    expect(out.warnings).toEqual([
      'no "**Timestamp**:" line under "Smoke Tests"; the run time was not written',
      'no "**Last Updated**:" line; the update time was not written',
    ]);
  });

  it('warns about verification sections, checkboxes and detail lists the log does not have, and writes the rest', () => {
    const log = LOG.replace(/### Deployment Verification[\s\S]*?\*\*Deployment Details\*\*/, '**Deployment Details**')
      .replace('- [ ] RLS policies enforced\n', '')
      .replace('**Migration Details**:', '**Schema**:');
    const out = render(log, passedRun());
    expect(out.warnings).toEqual([
      'checkbox section "Deployment Verification" not found; "Database connection working" was not written',
      'checkbox section "Deployment Verification" not found; "API endpoints responding" was not written',
      'checkbox section "Deployment Verification" not found; "Production URL accessible" was not written',
      'checkbox section "Deployment Verification" not found; "Environment variables set" was not written',
      'no "RLS policies enforced" checkbox under "Migration Verification"; it was not written',
      'no "**Migration Details**:" list; the details "Database Catalog" found were not written',
    ]);
    expect(out.text).toContain('- [x] All 12 tables present\n- [x] Indexes created\n- [x] Audit triggers active');
    expect(out.text).toContain('**Overall Status**: ✅ PASSED');
  });
});

describe('renderPromotionLog: verification checkboxes (sections 3 and 4)', () => {
  const boxes = (text: string, heading: string) => {
    const lines = text.split('\n');
    const at = lines.indexOf(`### ${heading}`);
    return lines.slice(at + 2, lines.indexOf('', at + 2));
  };

  it('ticks a box only when every check claiming it passed, clears it otherwise, and leaves unclaimed boxes alone', () => {
    expect(boxes(render(LOG, passedRun()).text, 'Deployment Verification')).toEqual([
      '- [x] Deployment finished',
      '- [X] Build had no errors',
      '- [x] Production URL accessible',
      '- [x] API endpoints responding',
      '- [x] Database connection working',
      '- [ ] Real-time subscriptions active',
      '- [x] Environment variables set correctly',
    ]);
    // Login Test was only flaky: "Production URL accessible" is not verified, even though API Health passed.
    expect(boxes(render(LOG, mixedRun()).text, 'Deployment Verification')).toEqual([
      '- [x] Deployment finished',
      '- [X] Build had no errors',
      '- [ ] Production URL accessible',
      '- [x] API endpoints responding',
      '- [x] Database connection working',
      '- [ ] Real-time subscriptions active',
      '- [x] Environment variables set correctly',
    ]);
  });

  it.each<[string, CheckStatus]>([
    ['failed', 'failed'],
    ['skipped', 'skipped'],
    ['flaky', 'flaky'],
  ])('clears a box whose check %s', (_what, status) => {
    const ticked = render(LOG, passedRun()).text;
    const run = passedRun();
    run.checks = run.checks.map((c) => (c.name === 'Database Connection' ? { ...c, status } : c));
    expect(boxes(render(ticked, run).text, 'Deployment Verification')).toContain('- [ ] Database connection working');
  });

  it('writes what a failed catalog check found, but does not tick its boxes', () => {
    const out = render(render(LOG, passedRun()).text, mixedRun()).text;
    expect(boxes(out, 'Migration Verification')).toEqual([
      '- [ ] Migrations applied without errors',
      '- [ ] All 12 tables present',
      '- [ ] RLS policies enforced',
      '- [ ] Indexes created',
      '- [ ] Audit triggers active',
      '- [ ] Data integrity verified',
    ]);
    expect(out).toContain('- Tables Created/Updated: 11 found: alerts, audit_logs, branches, corporates, documents, geofences, … (+5 more)');
  });

  it('leaves boxes alone when no check of the run claims them (e.g. a --grep run)', () => {
    const run = { ...passedRun(), checks: [row('Vehicles Table', 'passed', 41, '12 rows visible')] };
    const out = render(LOG, run).text;
    expect(boxes(out, 'Deployment Verification')).toEqual(boxes(LOG, 'Deployment Verification'));
    expect(boxes(out, 'Migration Verification')).toEqual(boxes(LOG, 'Migration Verification'));
  });

  it('finds renamed, renumbered and re-cased headings and checkbox texts that say more', () => {
    const log = LOG.replace('### Deployment Verification', '### 3.2 deployment verification:')
      .replace('- [ ] Database connection working', '* [ ] DATABASE CONNECTION working (checked from the app)')
      .replace('### Migration Verification', '#### Migration verification');
    const out = render(log, passedRun());
    expect(out.warnings).toEqual([]);
    expect(out.text).toContain('* [x] DATABASE CONNECTION working (checked from the app)');
    expect(out.text).toContain('- [x] All 12 tables present');
  });

  it('keeps the team\'s own items and the text around the lists', () => {
    const log = LOG.replace('- [ ] Real-time subscriptions active\n', '- [ ] Real-time subscriptions active\n- [ ] CDN cache purged   \n')
      .replace('**Migration Details**:\n', 'Checked by hand on the replica.\n\n**Migration Details**:\n')
      .replace('- Audit Triggers: [Pending]\n', '- Audit Triggers: [Pending]\n- Extensions: pgcrypto\n');
    const out = render(log, passedRun()).text;
    expect(out).toContain('- [ ] Real-time subscriptions active\n- [ ] CDN cache purged   \n- [x] Environment variables set correctly');
    expect(out).toContain('Checked by hand on the replica.\n\n**Migration Details**:\n- Tables Created/Updated: 12 found:');
    expect(out).toContain('- Audit Triggers: none found\n- Extensions: pgcrypto\n');
  });
});

describe('renderPromotionLog: headings', () => {
  it.each([
    ['## Smoke Tests', '### Login Test'],
    ['## Smoke tests', '### login test'],
    ['## 7) SMOKE TESTS', '### 1. Login Test'],
    ['## 5. Smoke Tests:', '###   Login   Test  '],
  ])('finds "%s" and "%s"', (smoke, login) => {
    const log = LOG.replace('## 5. Smoke Tests', smoke).replace('### Login Test', login);
    const out = render(log, mixedRun());
    expect(out.warnings).toEqual([]);
    expect(out.text).toBe(render(LOG, mixedRun()).text.replace('## 5. Smoke Tests', smoke).replace('### Login Test', login));
  });

  it('does not take a test section from another h2 section', () => {
    const log = LOG.replace('### Login Test', '### Login Smoke').replace('## 6. Monitoring (60 Minutes)', '## 6. Monitoring (60 Minutes)\n\n### Login Test\n\n**Status**: untouched\n');
    const out = render(log, mixedRun());
    expect(out.warnings).toEqual(['test section "Login Test" not found under "Smoke Tests"; its result was not written']);
    expect(out.text).toContain('### Login Test\n\n**Status**: untouched\n');
  });
});

describe('renderPromotionLog: not a promotion log', () => {
  it.each([
    ['empty text', ''],
    ['blank text', '  \n\n'],
    ['binary content', 'PK\u0003\u0004\u0000\u0000## Smoke Tests'],
    ['a README', '# Project\n\n## Smoke tests are run by CI\n\nSee the docs.\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => render(text, passedRun())).toThrow(NotAPromotionLogError);
  });

  it('says why in one line', () => {
    expect(() => render('', passedRun())).toThrow(/^not a promotion log: the text is empty$/);
    expect(() => render('# Hi\n', passedRun())).toThrow('not a promotion log: no "Smoke Tests" heading and no "Smoke Test Summary" table');
  });
});

describe('renderPromotionLog: statuses and counts', () => {
  const overall = (run: RunResults) => /\*\*Overall Status\*\*: (.*)/.exec(render(LOG, run).text)?.[1];
  const total = (run: RunResults) => /\| \*\*Total\*\* \| (.*)/.exec(render(LOG, run).text)?.[1];
  const base = () => ({ ...passedRun(), checks: [row('API Health', 'passed', 330, 'ok'), row('Authentication', 'passed', 2, 'ok')] });

  it('counts a skipped row as not passed but does not fail the run', () => {
    const run = base();
    run.checks[1] = row('Authentication', 'skipped', 0, 'no smoke user');
    expect(total(run)).toBe('**✅ 1/2** | **330ms** | 1 skipped: Authentication |');
    expect(overall(run)).toBe('✅ PASSED (1 skipped: Authentication)');
  });

  it('says a run stopped by a signal was interrupted, never passed; a failure still wins', () => {
    const run = { ...base(), interrupted: true };
    run.checks[1] = row('Authentication', 'skipped', 0, 'not run: the run was stopped before this check started');
    expect(overall(run)).toBe('⚠️ INTERRUPTED (1 of 2 checks passed before the run was stopped)');
    run.checks[0] = row('API Health', 'failed', 10, 'HTTP 503');
    expect(overall(run)).toBe('❌ FAILED (1 of 2 checks failed; the run was interrupted)');
  });

  it('counts a flaky row as passed and flags it', () => {
    const run = base();
    run.checks[1] = row('Authentication', 'flaky', 5, 'ok', { attempts: 2 });
    expect(total(run)).toBe('**⚠️ 2/2** | **335ms** | 1 flaky: Authentication |');
    expect(overall(run)).toBe('⚠️ PASSED WITH FLAKY CHECKS (1 flaky: Authentication)');
  });

  it('counts failures over rows and sections, and gives a flow its summary row', () => {
    const run = base();
    run.checks[0] = row('API Health', 'failed', 10, 'HTTP 503');
    run.checks.push(section('Login Test', 'failed', { error: 'no dashboard' }));
    expect(total(run)).toBe('**❌ 1/3** | **2422ms** | 2 failed: API Health, Login Test |');
    expect(overall(run)).toBe('❌ FAILED (2 of 3 checks failed)');
    expect(render(LOG, run).text).toContain('| Login Test | ❌ | 2410ms | no dashboard |');
  });

  it('does not call a run without a passing check a pass', () => {
    expect(overall({ ...base(), checks: [] })).toBe('⚠️ NO CHECKS RAN');
    expect(overall({ ...base(), checks: [row('API Health', 'skipped', 0, 'offline')] })).toBe('⚠️ NO CHECKS RAN (1 skipped: API Health)');
  });

  it('leaves the summary table alone when no check of the run has a place in it', () => {
    const run = { ...base(), checks: [catalogCheck('passed')] };
    expect(total(run)).toBe('**✅ 13/13** | **8015ms** | All tests passed |');
    expect(overall(run)).toBe('✅ PASSED');
  });

  it('keeps the later of two results for one place, with a warning', () => {
    const run = base();
    run.checks.push(row('api health', 'failed', 9, 'HTTP 500'));
    const out = render(LOG, run);
    expect(out.warnings).toEqual(['two results for "api health"; the log shows the later one']);
    expect(out.text).toContain('| API Health | ❌ | 9ms | HTTP 500 |');
  });

  it('writes "none" for a section without a screenshot and a link for one with it', () => {
    const run = mixedRun();
    const text = renderPromotionLog(LOG, run, { now: NOW, screenshotLinks: new Map([['Login Test', 'screenshots/my shot (1).png']]) }).text;
    expect(text).toContain('**Screenshot**: [my shot (1).png](screenshots/my%20shot%20%281%29.png)');
    expect(text.match(/\*\*Screenshot\*\*: none/g)).toHaveLength(2);
  });
});
