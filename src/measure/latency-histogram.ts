/**
 * Latency percentiles from every single sample, in an HDR histogram (microsecond resolution, 3 significant
 * digits). autocannon and the monitor both feed it, so their p95s are computed the same way.
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10 * 60 * 1_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency in milliseconds (fractions kept to the microsecond). */
  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The latency in ms at percentile p (0–100); 0 when nothing was recorded. */
  percentile(p: number): number {
    return this.count === 0 ? 0 : this.histogram.getValueAtPercentile(p) / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.count === 0 ? 0 : this.histogram.maxValue / 1000,
      mean: this.count === 0 ? 0 : this.histogram.mean / 1000,
    };
  }
}
