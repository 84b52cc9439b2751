/**
 * The synthetic-run history: one JSON line per scheduled run, appended (never rewritten), and the report
 * `pnpm history` prints from it: uptime and p95 per check, and how p95 moved between the older and newer half.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckStatus } from '../results.ts';

export interface HistoryEntry {
  at: string;
  env: string;
  runId: string;
  /** The smoke command's exit code: 0 passed, 1 a check failed or was flaky, 2 the run could not happen. */
  exitCode: number;
  checks: Record<string, { status: CheckStatus; durationMs: number }>;
  probes: { apiP95Ms?: number; errorRatePct?: number; healthy: boolean };
}

export function appendHistory(file: string, entry: HistoryEntry): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // One write of one line: appends of whole lines are atomic enough for a single scheduler.
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

export function readHistory(file: string): { entries: HistoryEntry[]; skipped: number } {
  if (!existsSync(file)) return { entries: [], skipped: 0 };
  let skipped = 0;
  const entries: HistoryEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // A line cut short by a crash: skip it, say so.
      skipped++;
    }
  }
  return { entries, skipped };
}

export interface CheckTrend {
  name: string;
  runs: number;
  /** Runs in which the check passed (flaky counts as up, and is counted separately). */
  uptimePct: number;
  flaky: number;
  p95Ms: number;
  /** p95 of the older half and of the newer half of the runs; undefined with fewer than 4 runs. */
  trend?: { olderP95Ms: number; newerP95Ms: number };
}

/** Nearest-rank percentile of a small sample (history has tens of runs, not millions). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function trends(entries: HistoryEntry[]): CheckTrend[] {
  const names = [...new Set(entries.flatMap((e) => Object.keys(e.checks)).concat(entries.length ? ['API probe'] : []))];
  return names.map((name) => {
    const series = entries.flatMap((e) => {
      if (name === 'API probe') return e.probes.apiP95Ms === undefined ? [{ up: e.probes.healthy, flaky: false, ms: undefined }] : [{ up: e.probes.healthy, flaky: false, ms: e.probes.apiP95Ms }];
      const c = e.checks[name];
      return c ? [{ up: c.status === 'passed' || c.status === 'flaky', flaky: c.status === 'flaky', ms: c.status === 'skipped' ? undefined : c.durationMs }] : [];
    });
    const durations = series.flatMap((s) => (s.ms === undefined ? [] : [s.ms]));
    const half = Math.floor(durations.length / 2);
    return {
      name,
      runs: series.length,
      uptimePct: series.length === 0 ? 0 : (series.filter((s) => s.up).length / series.length) * 100,
      flaky: series.filter((s) => s.flaky).length,
      p95Ms: percentile(durations, 95),
      trend: durations.length >= 4 ? { olderP95Ms: percentile(durations.slice(0, half), 95), newerP95Ms: percentile(durations.slice(half), 95) } : undefined,
    };
  });
}

export function formatTrends(rows: CheckTrend[]): string {
  const header = ['check', 'runs', 'uptime', 'flaky', 'p95', 'p95 older → newer'];
  const lines = rows.map((r) => [
    r.name,
    String(r.runs),
    `${r.uptimePct.toFixed(r.uptimePct === 100 ? 0 : 1)}%`,
    String(r.flaky),
    `${Math.round(r.p95Ms)}ms`,
    r.trend ? `${Math.round(r.trend.olderP95Ms)}ms → ${Math.round(r.trend.newerP95Ms)}ms` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
