/**
 * `pnpm monitor` against the embedded sandbox: a rehearsal window (6 s, time ×600 so rows read 0…60 min)
 * fills all seven rows of every monitoring table and leaves the rollback status READY.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calmThresholds, runScript, section, tempDir } from './run-cli.ts';

describe('pnpm monitor on the embedded sandbox', () => {
  it('fills every row of section 6 and fires no trigger on a healthy sandbox', async () => {
    const dir = tempDir('monitor-proof');
    const log = path.join(dir, 'log.md');
    const run = await runScript('scripts/monitor.ts', ['--duration=6s', '--interval=1s', '--time-scale=600', '--samples=8', `--thresholds=${calmThresholds(dir)}`, `--log=${log}`]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const text = readFileSync(log, 'utf8');
    for (const table of ['Error Rate Monitoring', 'API Latency Monitoring', 'Real-time Latency Monitoring']) {
      const rows = section(text, table)
        .split('\n')
        .filter((l) => /^\| \d+ min \|/.test(l));
      expect(rows.map((r) => r.split('|')[1]!.trim()), table).toEqual(['0 min', '10 min', '20 min', '30 min', '40 min', '50 min', '60 min']);
      // A measured figure and the status it earned; which status depends on this machine's load, so the
      // thresholds themselves are proven by the fault tests, not here.
      for (const row of rows) expect(row, `${table}: ${row}`).toMatch(/^\| \d+ min \| [\d.]+(ms|%)( \(p95\))? \| (✅|⚠️) \|/);
    }
    // The embedded sandbox gives its database's URL (PGlite's wire endpoint), so the database is measured too.
    const dbRows = section(text, 'Database Performance Monitoring').split('\n').filter((l) => /^\| \d+ min \|/.test(l));
    expect(dbRows).toHaveLength(7);
    for (const row of dbRows) expect(row).toMatch(/^\| \d+ min \| [\d.]+ms \(p95\) \| \d+ \| (✅|⚠️) \|/);
    // Without Sentry settings that row says so, never a made-up figure.
    expect(section(text, 'Sentry Error Monitoring')).toContain('not configured');
    expect(text).toMatch(/\*\*Rollback Status\*\*: ✅ READY/);
  });

  it('refuses bad input with exit 2 and one line', async () => {
    const run = await runScript('scripts/monitor.ts', ['--duration=10', '--interval=1m']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('monitor: --duration=10: use a number with a unit: 500ms, 10s, 10m, 1h');
  });
});
