import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { buildReport, reportOptions } from './allure-report.ts';

/** One run's Allure results, as allure-playwright writes them: a result file per test. */
function writeResults(dir: string, statuses: Record<string, 'passed' | 'failed'>, start: number): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, status] of Object.entries(statuses)) {
    const uuid = randomUUID();
    const result = {
      uuid,
      historyId: `history-${name}`,
      testCaseId: `case-${name}`,
      name,
      fullName: `smoke:${name}`,
      status,
      stage: 'finished',
      start,
      stop: start + 120,
      labels: [{ name: 'suite', value: 'Smoke Test Summary' }],
      steps: [{ name: 'query', status, stage: 'finished', start, stop: start + 100, steps: [], attachments: [], parameters: [] }],
      attachments: [],
      parameters: [],
      links: [],
      ...(status === 'failed' && { statusDetails: { message: '0 rows visible' } }),
    };
    fs.writeFileSync(path.join(dir, `${uuid}-result.json`), JSON.stringify(result));
  }
}

describe('pnpm report', () => {
  it('builds the HTML report offline and carries the history of earlier runs into it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allure-report-'));
    const opts = reportOptions(['--results=results', '--out=report', '--history=history/history.jsonl'], dir, {});
    writeResults(opts.results, { 'Vehicles Table': 'passed', 'API Health': 'passed' }, 1_796_000_000_000);
    expect(buildReport(opts)).toBe(path.join(dir, 'report/index.html'));
    writeResults(opts.results, { 'Vehicles Table': 'failed', 'API Health': 'passed' }, 1_796_000_600_000);
    buildReport(opts);

    expect(fs.readFileSync(opts.history, 'utf8').trim().split('\n')).toHaveLength(2);
    type Point = { id: string; statistic: Record<string, number> };
    const charts = JSON.parse(fs.readFileSync(path.join(dir, 'report/widgets/charts.json'), 'utf8')) as { general: Record<string, { type: string; data: Point[] }> };
    const dynamics = Object.values(charts.general).find((c) => c.type === 'statusDynamics')?.data ?? [];
    // The earlier run is in the trend beside the current one; the report holds only the current results.
    expect(dynamics[0]?.statistic).toEqual({ total: 2, passed: 2 });
    expect(dynamics.at(-1)).toMatchObject({ id: 'current', statistic: { total: 2, passed: 1, failed: 1 } });
    expect(fs.readdirSync(path.join(dir, 'report/data/test-results'))).toHaveLength(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to empty an output folder that is not an Allure report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'allure-report-'));
    const opts = reportOptions(['--results=results', '--out=docs'], dir, {});
    writeResults(opts.results, { 'API Health': 'passed' }, 1_796_000_000_000);
    fs.mkdirSync(opts.out);
    fs.writeFileSync(path.join(opts.out, 'notes.md'), 'keep me');
    expect(() => buildReport(opts)).toThrow(`report: ${opts.out} exists and is not an Allure report; choose another --out`);
    expect(fs.readFileSync(path.join(opts.out, 'notes.md'), 'utf8')).toBe('keep me');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says how to get results when there are none (exit 2)', () => {
    const opts = reportOptions(['--results=/nonexistent/allure-results'], os.tmpdir(), {});
    expect(() => buildReport(opts)).toThrow(UsageError);
    expect(() => buildReport(opts)).toThrow('report: no Allure results in /nonexistent/allure-results; run pnpm test:smoke first');
  });

  it('reads the results of the run from SMOKE_OUTPUT_DIR by default', () => {
    expect(reportOptions([], '/p', { SMOKE_OUTPUT_DIR: 'out' })).toEqual({
      results: '/p/out/allure-results',
      out: '/p/allure-report',
      history: '/p/.allure/history.jsonl',
      name: 'Marsana Fleet smoke',
    });
  });
});
