import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckStatus } from '../results.ts';
import { buildSummary } from '../../reporters/summary/summary.ts';
import { TEMPLATE_PATH } from '../../reporters/promotion-log/log-file.ts';
import { renderMonitoring } from '../../reporters/promotion-log/monitoring.ts';
import { monitoringRows, type CycleReport } from '../monitor/rows.ts';
import { DEFAULT_THRESHOLDS } from '../monitor/thresholds.ts';
import { TRIGGER_LABELS } from '../monitor/triggers.ts';
import { DEFAULT_POLICY, evaluateGate } from './evaluate-gate.ts';

const template = readFileSync(TEMPLATE_PATH, 'utf8');

function check(name: string, status: CheckStatus, notes = ''): CheckResult {
  return { name, place: { kind: 'summary-row', row: name }, status, durationMs: 10, notes, steps: [], attempts: status === 'flaky' ? 2 : 1 };
}

function summary(...checks: CheckResult[]) {
  return buildSummary({ runId: 'smoke-1', env: 'local', startedAt: new Date(0), finishedAt: new Date(1000), checks });
}

const healthy: Omit<CycleReport, 'time'> = {
  api: { p95Ms: 40, requests: 20, failed: 0 },
  db: { p95Ms: 5, connections: 3 },
  realtime: { p95Ms: 30, samples: 5 },
  sentry: { critical: 0, high: 0 },
};

/** The template with all seven monitoring rows measured, optionally one of them bad, and triggers as given. */
function monitoredLog(overrides: Partial<CycleReport> = {}, fired: string[] = []): string {
  const rows = [0, 10, 20, 30, 40, 50, 60].flatMap((m) =>
    monitoringRows({ ...healthy, ...(m === 30 ? overrides : {}), time: `${m} min` }, DEFAULT_THRESHOLDS),
  );
  const triggers = Object.values(TRIGGER_LABELS).map((trigger) => ({ trigger, fired: fired.includes(trigger) }));
  return renderMonitoring(template, { rows, rollback: { triggers } }, new Date(0)).text;
}

describe('evaluateGate', () => {
  it('passes a clean run with a fully measured window', () => {
    expect(evaluateGate({ summary: summary(check('API Health', 'passed')), logText: monitoredLog() })).toEqual([]);
  });

  it('lists every failed criterion', () => {
    const failures = evaluateGate({
      summary: summary(check('Vehicles Table', 'failed', '0 rows visible'), check('Login Test', 'flaky'), check('Migrations', 'skipped', 'SUPABASE_DB_URL not set')),
      logText: monitoredLog({ api: { p95Ms: 2500, requests: 20, failed: 0 } }, [TRIGGER_LABELS['api-latency']]),
    });
    expect(failures).toEqual([
      'check failed: Vehicles Table (0 rows visible)',
      'check flaky, passed only on retry: Login Test',
      'check skipped, no evidence: Migrations (SUPABASE_DB_URL not set)',
      'monitoring: API Latency Monitoring is ❌ at 30 min',
      'rollback trigger fired: API latency > 2 seconds',
    ]);
  });

  it('treats an unmeasured window and missing results as missing evidence', () => {
    const failures = evaluateGate({ summaryProblem: 'test-results/summary.json not found', logText: template });
    expect(failures[0]).toBe('no smoke results: test-results/summary.json not found');
    expect(failures).toContain('monitoring incomplete: Error Rate Monitoring has no measurement at 0 min, 10 min, 20 min, 30 min, 40 min, 50 min, 60 min');
  });

  it('follows the policy for flaky and skipped checks and for monitoring', () => {
    const input = { summary: summary(check('Login Test', 'flaky'), check('Migrations', 'skipped')), logText: template };
    expect(evaluateGate(input, { allowFlaky: true, allowSkipped: true, requireMonitoring: false })).toEqual([]);
    expect(evaluateGate(input, DEFAULT_POLICY)).toHaveLength(2 + 5);
  });

  it('refuses an interrupted run even when skipped checks are allowed', () => {
    const interrupted = { ...summary(check('API Health', 'passed'), check('Login Test', 'skipped')), interrupted: true as const };
    expect(evaluateGate({ summary: interrupted, logText: template }, { allowFlaky: true, allowSkipped: true, requireMonitoring: false })).toEqual([
      'the smoke run was interrupted before every check ran',
    ]);
  });
});
