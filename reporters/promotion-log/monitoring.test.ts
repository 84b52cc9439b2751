import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMonitoringRow, writeMonitoringUpdate } from './monitoring-writer.ts';
import { latencySeries, renderMonitoring, renderMonitoringRow, renderRollback, type MonitoringUpdate } from './monitoring.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);
const LOG = fs.readFileSync(fixture('promotion-log.md'), 'utf8');
const NOW = new Date('2026-12-04T10:30:00.000Z');
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

function expectGolden(actual: string, name: string) {
  if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(fixture(name), actual);
  expect(actual).toBe(fs.readFileSync(fixture(name), 'utf8'));
}

/** Twenty minutes into the window: three rows of three tables, an issue, a chart, a high-priority trigger fired. */
const WINDOW: MonitoringUpdate = {
  rows: [
    { table: 'Error Rate Monitoring', time: '0 min', cells: { 'Error Rate': '0.00%', Status: '✅', Notes: '0 of 1 204 requests' } },
    { table: 'Error Rate Monitoring', time: '10 min', cells: { 'Error Rate': '0.02%', Status: '✅', Notes: '3 of 14 880 requests' } },
    { table: 'Error Rate Monitoring', time: '20 min', cells: { 'Error Rate': '1.40%', Status: '❌', Notes: '212 of 15 102 requests | 502 from /api/vehicles' } },
    { table: 'API Latency Monitoring', time: '10 min', cells: { Latency: '310ms', Status: '✅', Notes: 'p95 over 14 880 requests' } },
    { table: 'Database Performance Monitoring', time: '10 min', cells: { Latency: '41ms', Connections: '18', Status: '✅' } },
  ],
  issues: { 'Error Rate Monitoring': 'error rate above 1% at 20 min (502s from /api/vehicles)' },
  charts: { 'API Latency Monitoring': 'charts/api-latency-monitoring.svg' },
  rollback: {
    triggers: [
      { trigger: 'Error rate > 1%', fired: true },
      { trigger: 'API latency > 2 seconds', fired: false },
      { trigger: 'Database corruption detected', fired: false },
    ],
  },
};

const between = (text: string, start: string, end: string) => {
  const from = text.indexOf(start);
  return text.slice(from, text.indexOf(end, from + start.length));
};

describe('renderMonitoring: golden file', () => {
  it('writes rows, issues, a chart link, the fired triggers and the rollback status', () => {
    const out = renderMonitoring(LOG, WINDOW, NOW);
    expect(out.warnings).toEqual([]);
    expectGolden(out.text, 'promotion-log.monitoring.golden.md');
  });

  it('writes CRLF logs with CRLF, and a rerun of the same update changes nothing', () => {
    const once = renderMonitoring(LOG, WINDOW, NOW).text;
    expect(renderMonitoring(crlf(LOG), WINDOW, NOW).text).toBe(crlf(once));
    expect(renderMonitoring(once, WINDOW, NOW).text).toBe(once);
  });

  it('changes nothing outside sections 6 and 7 but the update time', () => {
    const out = renderMonitoring(LOG, WINDOW, NOW).text;
    const outside = (text: string) => text.slice(0, text.indexOf('## 6. Monitoring')) + text.slice(text.indexOf('## 8. Release'), text.lastIndexOf('**Last Updated**'));
    expect(outside(out)).toBe(outside(LOG));
  });
});

describe('renderMonitoringRow', () => {
  it('replaces only the cells it is given, by column name, and keeps the rest of the row', () => {
    const log = LOG.replace('| 30 min | - | - | ⏳ |', '| 30 min | - | - | ⏳ | checked by hand |');
    const out = renderMonitoringRow(log, { table: 'Database Performance Monitoring', time: '30min', cells: { connections: '22' } }, NOW);
    expect(out.warnings).toEqual([]);
    expect(out.text).toContain('| 30 min | - | 22 | ⏳ | checked by hand |');
  });

  it('adds a row the table lacks in time order, with a warning', () => {
    const out = renderMonitoringRow(LOG, { table: 'API Latency Monitoring', time: '15 min', cells: { Latency: '280ms', Status: '✅' } }, NOW);
    expect(out.warnings).toEqual(['"API Latency Monitoring" has no "15 min" row; added it']);
    expect(between(out.text, '### API Latency Monitoring', '**Issues**')).toContain('| 10 min | - | ⏳ | |\n| 15 min | 280ms | ✅ | |\n| 20 min | - | ⏳ | |');
  });

  it('adds a row past the end of the window at the end of the table', () => {
    const out = renderMonitoringRow(LOG, { table: 'Error Rate Monitoring', time: '70 min', cells: { 'Error Rate': '0.01%' } }, NOW);
    expect(out.text).toContain('| 60 min | - | ⏳ | |\n| 70 min | 0.01% | | |\n\n**Issues**');
  });

  it('warns about a missing table or column and still writes the rest', () => {
    const out = renderMonitoring(
      LOG,
      {
        rows: [
          { table: 'Queue Depth Monitoring', time: '10 min', cells: { Depth: '3' } },
          { table: 'Error Rate Monitoring', time: '10 min', cells: { 'Error Rate': '0.02%', Region: 'eu' } },
        ],
      },
      NOW,
    );
    expect(out.warnings).toEqual([
      'monitoring table "Queue Depth Monitoring" not found; the 10 min row was not written',
      '"Error Rate Monitoring" has no "Region" column; that value was not written',
    ]);
    expect(out.text).toContain('| 10 min | 0.02% | ⏳ | |');
  });

  it('finds renamed and renumbered headings', () => {
    const log = LOG.replace('### Error Rate Monitoring', '### 6.1 error rate monitoring:');
    const out = renderMonitoringRow(log, { table: 'Error Rate Monitoring', time: '0 min', cells: { Status: '✅' } }, NOW);
    expect(out.warnings).toEqual([]);
    expect(out.text).toContain('| 0 min | - | ✅ | |');
  });
});

describe('renderRollback', () => {
  const triggers = (text: string) => between(text, '**Critical Issues**', '### Rollback Procedures');
  const status = (text: string) => /\*\*Rollback Status\*\*: (.*)/.exec(text)?.[1];

  it('says READY when no evaluated trigger fired', () => {
    const out = renderRollback(LOG, [{ trigger: 'Error rate > 1%', fired: false }], NOW);
    expect(status(out.text)).toBe('✅ READY');
    expect(triggers(out.text)).toBe(triggers(LOG));
  });

  it('asks to evaluate on a high-priority trigger and requires rollback on a critical one', () => {
    const high = renderRollback(LOG, [{ trigger: 'API latency > 2 seconds', fired: true }], NOW).text;
    expect(status(high)).toBe('⚠️ EVALUATE ROLLBACK (API latency > 2 seconds)');
    expect(high).toContain('- [x] API latency > 2 seconds');
    const critical = renderRollback(high, [{ trigger: 'API completely unavailable', fired: true }, { trigger: 'API latency > 2 seconds', fired: true }], NOW).text;
    expect(status(critical)).toBe('🔴 ROLLBACK REQUIRED (API completely unavailable)');
    expect(critical).toContain('- [x] API completely unavailable (> 5 minutes)');
  });

  it('clears a trigger that no longer fires, leaves the others alone, and takes a status it is given', () => {
    const fired = renderRollback(LOG, [{ trigger: 'Error rate > 1%', fired: true }, { trigger: 'Data loss detected', fired: true }], NOW).text;
    const out = renderRollback(fired, [{ trigger: 'Error rate > 1%', fired: false }], NOW, '⏳ WATCHING (decided by the on-call)').text;
    expect(out).toContain('- [ ] Error rate > 1%');
    expect(out).toContain('- [x] Data loss detected');
    expect(status(out)).toBe('⏳ WATCHING (decided by the on-call)');
  });

  it('does not take "API latency > 5 seconds" for the "> 2 seconds" trigger, and warns', () => {
    const out = renderRollback(LOG, [{ trigger: 'API latency > 5 seconds', fired: true }], NOW);
    expect(out.warnings).toEqual(['no "API latency > 5 seconds" checkbox under "Rollback Triggers"; it was not written']);
    expect(out.text).toContain('- [ ] API latency > 2 seconds');
  });
});

describe('latencySeries', () => {
  it('reads the Latency column and the Target of a monitoring table as the log has it', () => {
    const text = renderMonitoringRow(renderMonitoring(LOG, WINDOW, NOW).text, { table: 'API Latency Monitoring', time: '30 min', cells: { Latency: '1.2 s (p95)' } }, NOW).text;
    expect(latencySeries(text, 'API Latency Monitoring')).toEqual({
      targetMs: 500,
      points: [
        { x: '0 min', ms: null },
        { x: '10 min', ms: 310 },
        { x: '20 min', ms: null },
        { x: '30 min', ms: 1200 },
        { x: '40 min', ms: null },
        { x: '50 min', ms: null },
        { x: '60 min', ms: null },
      ],
    });
    expect(latencySeries(text, 'Error Rate Monitoring')).toBeUndefined();
  });
});

describe('writeMonitoringUpdate', () => {
  it('charts a latency table it writes to from the table itself, and links the chart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-chart-'));
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG);
    for (const [time, ms] of [['0 min', 280], ['10 min', 310], ['20 min', 640]] as const) {
      await writeMonitoringUpdate(file, { rows: [{ table: 'Real-time Latency Monitoring', time, cells: { Latency: `${ms}ms` } }, { table: 'Error Rate Monitoring', time, cells: { 'Error Rate': '0%' } }] }, { now: NOW });
    }
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('\n\n**Chart**: ![Real-time Latency Monitoring](charts/real-time-latency-monitoring.svg)\n\n**Issues**');
    expect(text.match(/\*\*Chart\*\*:/g)).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, 'charts'))).toEqual(['real-time-latency-monitoring.svg']);
    const svg = fs.readFileSync(path.join(dir, 'charts/real-time-latency-monitoring.svg'), 'utf8');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('target 100ms');
    fs.rmSync(dir, { recursive: true, force: true });
  });


  it('writes under the lock with a backup, draws the chart beside the log and links it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-write-'));
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(file, LOG);
    const warnings = await writeMonitoringUpdate(
      file,
      { rows: [{ table: 'API Latency Monitoring', time: '0 min', cells: { Latency: '290ms', Status: '✅' } }] },
      {
        now: NOW,
        charts: {
          'API Latency Monitoring': { title: 'API latency (p95)', targetMs: 500, series: [{ label: 'p95', points: [{ x: '0 min', ms: 290 }] }] },
        },
      },
    );
    expect(warnings).toEqual([]);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('| 0 min | 290ms | ✅ | |');
    expect(text).toContain('| 60 min | - | ⏳ | |\n\n**Chart**: ![API Latency Monitoring](charts/api-latency-monitoring.svg)\n\n**Issues**');
    expect(text).toContain('**Last Updated**: 2026-12-04 10:30 UTC');
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toBe(LOG);
    expect(fs.readFileSync(path.join(dir, 'charts/api-latency-monitoring.svg'), 'utf8')).toMatch(/^<svg [^>]*aria-label="API latency \(p95\)"/);

    await writeMonitoringRow(file, { table: 'API Latency Monitoring', time: '10 min', cells: { Latency: '305ms' } }, { now: NOW });
    expect(fs.readFileSync(file, 'utf8')).toContain('| 0 min | 290ms | ✅ | |\n| 10 min | 305ms | ⏳ | |');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
