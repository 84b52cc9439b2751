/** Fixed runs for the renderer's tests: one where everything passed, one with every status, same checks in both. */
import { CHECKBOX, migrationDetails, parseLogAnnotation, type LogAnnotation } from '../../../src/log-annotations.ts';
import type { CheckboxClaim, CheckResult, CheckStatus, RunResults } from '../../../src/results.ts';

/** The claims of `verifies:` annotations, as the reporter reads them. */
export function claims(...annotations: LogAnnotation[]): CheckboxClaim[] {
  return annotations.flatMap((a) => {
    const parsed = parseLogAnnotation(a.description);
    return parsed?.kind === 'verifies' ? [parsed.claim] : [];
  });
}

const VERIFIES: Record<string, CheckboxClaim[]> = {
  'Database Connection': claims(CHECKBOX.databaseConnection),
  'API Health': claims(CHECKBOX.apiEndpoints, CHECKBOX.productionUrl),
  'Login Test': claims(CHECKBOX.productionUrl),
};

/** A check with no row or section of its own: it only stands for checkboxes and fills Migration Details. */
export function catalogCheck(status: CheckStatus, tables = 12): CheckResult {
  const names = ['alerts', 'audit_logs', 'branches', 'corporates', 'handshakes', 'inspections', 'profiles', 'vehicles', 'documents', 'geofences', 'notifications', 'trips'];
  return {
    name: 'Database Catalog',
    status,
    durationMs: 88,
    notes: status === 'failed' ? `only ${tables} of 12 tables present` : 'schema as expected',
    steps: [],
    attempts: 1,
    error: status === 'failed' ? `only ${tables} of 12 tables present` : undefined,
    verifies: claims(CHECKBOX.tablesPresent, CHECKBOX.rlsEnforced, CHECKBOX.indexesCreated, CHECKBOX.auditTriggers),
    details: [
      migrationDetails({
        tables: names.slice(0, tables),
        policies: names.slice(0, tables).map((t) => `${t}_tenant_isolation`),
        indexes: ['vehicles_plate_idx', 'vehicles_corporate_idx', 'handshakes_status_idx'],
        triggers: [],
      }),
    ],
  };
}

/** The run's target configuration, validated in the worker: it stands for "Environment variables set". */
export function configCheck(status: CheckStatus): CheckResult {
  return {
    name: 'Target Configuration',
    status,
    durationMs: 1,
    notes: '5 required and 2 optional variables set and valid',
    steps: [],
    attempts: 1,
    verifies: claims(CHECKBOX.environmentVariables),
  };
}

const ROWS: Array<[name: string, ms: number, notes: string]> = [
  ['Database Connection', 512.4, 'database answered a counted query (HTTP 200)'],
  ['Vehicles Table', 41, '12 rows visible, all of the smoke tenant'],
  ['Handshakes Table', 30, '4 rows visible, all of the smoke tenant'],
  ['Inspections Table', 35, '7 rows visible, all of the smoke tenant'],
  ['Alerts Table', 40, '3 rows visible, all of the smoke tenant'],
  ['Audit Logs', 27, '25 rows visible, all of the smoke tenant'],
  ['Branches Table', 24, '2 rows visible, all of the smoke tenant'],
  ['Corporates Table', 28, '1 rows visible, all of the smoke tenant'],
  ['API Health', 330, 'HTTP 200, status ok, database ok'],
  ['Authentication', 1, 'signed in; the session was accepted by /auth/v1/user'],
];

export function row(name: string, status: CheckStatus, durationMs: number, notes: string, extra: Partial<CheckResult> = {}): CheckResult {
  const verifies = VERIFIES[name];
  return { name, place: { kind: 'summary-row', row: name }, status, durationMs, notes, steps: [], attempts: 1, ...(verifies && { verifies }), ...extra };
}

export function section(heading: string, status: CheckStatus, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    name: heading,
    place: { kind: 'test-section', heading },
    status,
    durationMs: 2410,
    notes: '',
    steps: [],
    attempts: 1,
    ...(VERIFIES[heading] && { verifies: VERIFIES[heading] }),
    ...extra,
  };
}

const LOGIN_STEPS = [
  { title: 'Navigate to /login', durationMs: 512, ok: true },
  { title: 'Enter test credentials', durationMs: 140, ok: true },
  { title: 'Click login', durationMs: 88, ok: true },
  { title: 'Verify redirect to dashboard', durationMs: 1320, ok: true },
  { title: 'Verify session created', durationMs: 35, ok: true },
];

export function passedRun(): RunResults {
  return {
    runId: 'smoke-20261203T183012Z-0a1b2c',
    env: 'prod',
    startedAt: new Date('2026-12-03T18:30:12.345Z'),
    finishedAt: new Date('2026-12-03T18:31:40.000Z'),
    checks: [
      ...ROWS.map(([name, ms, notes]) => row(name, 'passed', ms, notes)),
      section('Login Test', 'passed', { steps: LOGIN_STEPS, notes: 'signed in as the smoke user' }),
      section('Vehicles List Test', 'passed', {
        durationMs: 3875,
        steps: [
          { title: 'Navigate to /vehicles', durationMs: 640, ok: true },
          { title: 'Verify vehicles load', durationMs: 2100, ok: true },
        ],
      }),
      section('Vehicle Details Test', 'passed', { durationMs: 980, notes: '3 tabs, 2 documents' }),
      configCheck('passed'),
      catalogCheck('passed'),
    ],
  };
}

/** Every status: a failed row and section, a flaky row and section, a skipped row and section. */
export function mixedRun(): RunResults {
  const status: Record<string, CheckStatus> = { 'Vehicles Table': 'failed', Authentication: 'flaky', 'Branches Table': 'skipped' };
  return {
    runId: 'smoke-20261204T091500Z-d4e5f6',
    env: 'staging',
    startedAt: new Date('2026-12-04T09:15:00.000Z'),
    finishedAt: new Date('2026-12-04T09:17:05.000Z'),
    checks: [
      ...ROWS.map(([name, ms, notes]) => {
        const s = status[name] ?? 'passed';
        if (s === 'failed') return row(name, s, 10_012, '0 rows visible | RLS hides every row', { error: '0 rows visible', attempts: 2 });
        if (s === 'skipped') return row(name, s, 0, 'no branches in this environment');
        if (s === 'flaky') return row(name, s, 3, notes, { error: 'sign-in failed: fetch failed', attempts: 2 });
        return row(name, s, ms, notes);
      }),
      section('Login Test', 'flaky', {
        steps: LOGIN_STEPS,
        attempts: 2,
        error: 'Timed out 10000ms waiting for expect(page).toHaveURL(/dashboard/)',
        screenshotPath: '/tmp/run/login.png',
        evidencePath: 'test-results/login-retry1/trace.zip',
      }),
      section('Vehicles List Test', 'failed', {
        durationMs: 15_230,
        attempts: 2,
        error: 'expected at least 1 vehicle row, saw 0',
        notes: 'expected at least 1 vehicle row, saw 0',
        steps: [
          { title: 'Navigate to /vehicles', durationMs: 701, ok: true },
          { title: 'Verify vehicles load', durationMs: 10_004, ok: false },
        ],
        screenshotPath: '/tmp/run/vehicles.png',
        evidencePath: 'test-results/vehicles-list-retry1/trace.zip',
      }),
      section('Vehicle Details Test', 'skipped', { durationMs: 0, notes: 'needs a vehicle with documents' }),
      configCheck('passed'),
      catalogCheck('failed', 11),
    ],
  };
}

export const NOW = new Date('2026-12-04T09:17:30.000Z');

export function screenshotLinks(run: RunResults): Map<string, string> {
  const links = new Map<string, string>();
  for (const c of run.checks) {
    if (c.screenshotPath) links.set(c.name, `screenshots/${c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`);
  }
  return links;
}
