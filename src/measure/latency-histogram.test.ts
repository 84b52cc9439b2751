import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('gives the nearest-rank percentiles of the recorded samples', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    const s = h.summary();
    expect(s.count).toBe(100);
    // 3 significant digits: within 0.1 % of the exact rank values.
    expect(s.p50).toBeCloseTo(50, 1);
    expect(s.p95).toBeCloseTo(95, 1);
    expect(s.max).toBeCloseTo(100, 0);
  });

  it('keeps sub-millisecond samples', () => {
    const h = new LatencyHistogram();
    h.record(0.25);
    expect(h.percentile(50)).toBeCloseTo(0.25, 3);
  });

  it('answers 0 when empty', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });
});
