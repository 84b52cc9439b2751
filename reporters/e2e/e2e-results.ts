/**
 * The results of an e2e run (`pnpm test:e2e`): what its reporter writes to e2e-summary.json and prints, one line
 * per test. Pure: results in, text out. The e2e set has no place in the promotion log; this is its record.
 */
import type { CheckStatus } from '../../src/results.ts';

export const E2E_SUMMARY_SCHEMA = 'marsana-fleet/e2e-summary@1';

export interface E2eTestResult {
  name: string;
  status: CheckStatus;
  durationMs: number;
  /** 1 + the retries it used. */
  attempts: number;
  /** The evidence when it passed, the reason when it failed or was skipped. */
  notes: string;
  /** The failure in one line (for a flaky test: the failure of the attempt that failed). */
  error: string | null;
}

export interface E2eSummary {
  schema: typeof E2E_SUMMARY_SCHEMA;
  runId: string;
  env: string;
  baseUrl: string | null;
  startedAt: string;
  finishedAt: string;
  /** failed beats flaky beats passed; skipped tests alone make no verdict. */
  status: 'passed' | 'failed' | 'flaky' | 'no-tests';
  counts: Record<CheckStatus | 'total', number>;
  tests: E2eTestResult[];
}

export function e2eSummary(run: Omit<E2eSummary, 'schema' | 'status' | 'counts'>): E2eSummary {
  const counts = { total: run.tests.length, passed: 0, failed: 0, flaky: 0, skipped: 0 };
  for (const t of run.tests) counts[t.status]++;
  const status = counts.failed > 0 ? 'failed' : counts.flaky > 0 ? 'flaky' : counts.passed > 0 ? 'passed' : 'no-tests';
  return { schema: E2E_SUMMARY_SCHEMA, ...run, status, counts };
}

const LABEL: Record<CheckStatus, string> = { passed: '✅ PASSED ', failed: '❌ FAILED ', flaky: '⚠️ FLAKY  ', skipped: '⏭️ SKIPPED' };

/** One line per test, then the counts. */
export function renderConsole(summary: E2eSummary): string {
  const width = Math.max(0, ...summary.tests.map((t) => t.name.length));
  const lines = summary.tests.map((t) => {
    const time = t.status === 'skipped' ? '' : ` ${(t.durationMs / 1000).toFixed(1)} s`;
    const why = t.status === 'flaky' ? `passed on attempt ${t.attempts} after: ${t.error ?? 'a failure'}` : t.notes;
    return `  ${LABEL[t.status]}  ${t.name.padEnd(width)}${time}${why ? ` — ${why}` : ''}`;
  });
  const { passed, failed, flaky, skipped, total } = summary.counts;
  return [
    `E2E results (run ${summary.runId}, ${summary.env}):`,
    ...lines,
    `E2E: ${passed} passed, ${failed} failed, ${flaky} flaky, ${skipped} skipped of ${total}`,
    '',
  ].join('\n');
}
