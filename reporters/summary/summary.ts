/**
 * summary.json: the machine-readable twin of the promotion log, one per run. A pure function of the results, so
 * a run merged from shards gives the same summary as an unsharded one (but for times and durations).
 */
import type { CheckResult, CheckStatus, ListDetails, RunResults, StepResult } from '../../src/results.ts';

export const SUMMARY_SCHEMA = 'marsana-fleet/smoke-summary@1';

export interface Percentiles {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface SummaryCheck {
  name: string;
  /** Where the log shows it: a summary row (API and database checks), a test section (browser flows), or only checkboxes. */
  kind: 'summary-row' | 'test-section' | 'verification';
  status: CheckStatus;
  durationMs: number;
  attempts: number;
  notes: string;
  error: string | null;
  steps: StepResult[];
  /** What it timed: its own samples when it took several, else its duration (none when skipped). */
  samplesMs: number[];
  latency: Percentiles | null;
  verifies: Array<{ section: string; item: string }>;
  details: ListDetails[];
  /** A trace or other evidence of a failure, relative to the folder the run started in. */
  evidence: string | null;
}

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA;
  runId: string;
  env: string;
  release: string | null;
  commit: string | null;
  deploymentId: string | null;
  baseUrl: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  status: 'passed' | 'failed' | 'flaky' | 'no-checks' | 'interrupted';
  /** Present (true) when the run was stopped before every check ran: its skipped checks were never measured. */
  interrupted?: true;
  counts: Record<CheckStatus | 'total', number>;
  checks: SummaryCheck[];
  /** Over the summary-row checks (single API and database requests); browser flows are not latencies. */
  latency: Percentiles | null;
  verification: Array<{ section: string; item: string; verified: boolean; by: string[] }>;
}

export function buildSummary(run: RunResults): RunSummary {
  const checks = run.checks.map(summaryCheck);
  const counts = { total: checks.length, passed: 0, failed: 0, flaky: 0, skipped: 0 };
  for (const c of checks) counts[c.status]++;
  const status = counts.failed
    ? 'failed'
    : run.interrupted
      ? 'interrupted'
      : counts.passed + counts.flaky === 0
        ? 'no-checks'
        : counts.flaky
          ? 'flaky'
          : 'passed';
  return {
    schema: SUMMARY_SCHEMA,
    runId: run.runId,
    env: run.env,
    release: run.release ?? null,
    commit: run.commit ?? null,
    deploymentId: run.deploymentId ?? null,
    baseUrl: run.baseUrl ?? null,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    durationMs: run.finishedAt.getTime() - run.startedAt.getTime(),
    status,
    ...(run.interrupted && { interrupted: true as const }),
    counts,
    checks,
    latency: percentiles(checks.filter((c) => c.kind === 'summary-row' && c.status !== 'failed').flatMap((c) => c.samplesMs)),
    verification: verification(run.checks),
  };
}

function summaryCheck(check: CheckResult): SummaryCheck {
  const samplesMs = check.status === 'skipped' ? [] : (check.samplesMs ?? [check.durationMs]).map(round);
  return {
    name: check.name,
    kind: check.place?.kind ?? 'verification',
    status: check.status,
    durationMs: round(check.durationMs),
    attempts: check.attempts,
    notes: check.notes,
    error: check.error ?? null,
    steps: check.steps.map((s) => ({ ...s, durationMs: round(s.durationMs) })),
    samplesMs,
    latency: samplesMs.length > 1 ? percentiles(samplesMs) : null,
    verifies: check.verifies ?? [],
    details: check.details ?? [],
    evidence: check.evidencePath ?? null,
  };
}

function verification(checks: CheckResult[]): RunSummary['verification'] {
  const out = new Map<string, { section: string; item: string; verified: boolean; by: string[] }>();
  for (const check of checks) {
    for (const claim of check.verifies ?? []) {
      const key = `${claim.section}\u0000${claim.item}`;
      const entry = out.get(key) ?? { ...claim, verified: true, by: [] };
      entry.verified &&= check.status === 'passed';
      entry.by.push(check.name);
      out.set(key, entry);
    }
  }
  return [...out.values()];
}

/** Nearest-rank percentiles (each one is a measured value, never an interpolation). */
export function percentiles(samples: number[]): Percentiles | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: rank(50),
    p90: rank(90),
    p95: rank(95),
    p99: rank(99),
    max: sorted.at(-1)!,
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
