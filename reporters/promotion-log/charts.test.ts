import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mixedRun } from './__fixtures__/results.ts';
import { durationsChartSvg, latencyChartSvg, niceCeiling } from './charts.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

function expectGolden(actual: string, name: string) {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture(name), actual);
  expect(actual).toBe(readFileSync(fixture(name), 'utf8'));
}

describe('durationsChartSvg', () => {
  it('draws one bar per check, coloured by status (golden)', () => {
    const svg = durationsChartSvg(mixedRun().checks.filter((c) => c.place));
    expect(svg.match(/<rect x=/g)).toHaveLength(13);
    expectGolden(svg, 'smoke-durations.golden.svg');
  });

  it('escapes names and says when nothing ran', () => {
    expect(durationsChartSvg([{ name: 'A <b> & "c"', status: 'passed', durationMs: 5 }])).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
    expect(durationsChartSvg([])).toContain('no checks ran');
  });
});

describe('latencyChartSvg', () => {
  it('draws the window with its target line (golden)', () => {
    const times = ['0 min', '10 min', '20 min', '30 min', '40 min', '50 min', '60 min'];
    const p95 = [310, 295, 640, 420, null, null, null];
    const p50 = [120, 118, 230, 160, null, null, null];
    const svg = latencyChartSvg(
      [
        { label: 'p95', points: times.map((x, i) => ({ x, ms: p95[i]! })) },
        { label: 'p50', points: times.map((x, i) => ({ x, ms: p50[i]! })) },
      ],
      { title: 'API latency over the monitoring window', targetMs: 500 },
    );
    expect(svg).toContain('target 500ms');
    expectGolden(svg, 'monitoring-latency.golden.svg');
  });

  it('says when there is nothing to draw yet', () => {
    expect(latencyChartSvg([{ label: 'p95', points: [{ x: '0 min', ms: null }] }], { title: 't' })).toContain('no measurements yet');
  });
});

describe('niceCeiling', () => {
  it.each([
    [1, 1],
    [3, 5],
    [640, 1000],
    [15_230, 20_000],
    [0.4, 0.5],
  ])('%d → %d', (n, nice) => expect(niceCeiling(n)).toBeCloseTo(nice));
});
