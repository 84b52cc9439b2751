import { appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendHistory, formatTrends, readHistory, trends, type HistoryEntry } from './history.ts';

function entry(i: number, loginStatus: 'passed' | 'failed' | 'flaky', loginMs: number): HistoryEntry {
  return {
    at: new Date(Date.UTC(2026, 11, 1, i)).toISOString(),
    env: 'prod',
    runId: `synthetic-${i}`,
    exitCode: loginStatus === 'passed' ? 0 : 1,
    checks: { 'Login Test': { status: loginStatus, durationMs: loginMs }, 'API Health': { status: 'passed', durationMs: 40 } },
    probes: { apiP95Ms: 100 + i, errorRatePct: 0, healthy: i !== 3 },
  };
}

describe('synthetic history', () => {
  it('appends lines, skips a torn last line, and reports uptime and p95 trends per check', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'history-')), 'history.jsonl');
    const statuses = ['passed', 'passed', 'flaky', 'failed', 'passed', 'passed', 'passed', 'passed'] as const;
    statuses.forEach((s, i) => appendHistory(file, entry(i, s, 1000 + i * 100)));
    appendFileSync(file, '{"at":"2026-12-02T00:00:00Z","env":');
    const { entries, skipped } = readHistory(file);
    expect(entries).toHaveLength(8);
    expect(skipped).toBe(1);
    const rows = trends(entries);
    const login = rows.find((r) => r.name === 'Login Test')!;
    expect(login).toEqual({ name: 'Login Test', runs: 8, uptimePct: 87.5, flaky: 1, p95Ms: 1700, trend: { olderP95Ms: 1300, newerP95Ms: 1700 } });
    expect(rows.find((r) => r.name === 'API probe')!.uptimePct).toBe(87.5);
    expect(formatTrends(rows).split('\n')[0]).toMatch(/^check\s+runs\s+uptime\s+flaky\s+p95\s+p95 older → newer$/);
  });

  it('reads a missing file as no history', () => {
    expect(readHistory('/nonexistent/history.jsonl')).toEqual({ entries: [], skipped: 0 });
  });
});
