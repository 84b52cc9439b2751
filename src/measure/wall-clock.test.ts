import { describe, expect, it } from 'vitest';
import { WallClock } from './wall-clock.ts';

describe('WallClock', () => {
  it('reads the system clock, with fractions of a millisecond', () => {
    const clock = new WallClock();
    const readings = Array.from({ length: 200 }, () => {
      const before = Date.now();
      const now = clock.now();
      const after = Date.now();
      return { before, now, after };
    });
    // Date.now() floors to the millisecond: the precise time lies in [before, after + 1).
    for (const r of readings) {
      expect(r.now).toBeGreaterThanOrEqual(r.before - 0.01);
      expect(r.now).toBeLessThan(r.after + 1.01);
    }
    expect(readings.some((r) => !Number.isInteger(r.now))).toBe(true);
  });

  it('stays aligned when aligned again', () => {
    const clock = new WallClock();
    clock.align();
    const before = Date.now();
    const now = clock.now();
    expect(now - before).toBeGreaterThanOrEqual(-0.01);
    expect(now - before).toBeLessThan(1.5);
  });

  it('anchors the same way every time, a cold first alignment included (to a tenth of a millisecond)', () => {
    const clock = new WallClock();
    const offsets = [clock.now() - performance.now()];
    for (let i = 0; i < 20; i++) {
      clock.align();
      offsets.push(clock.now() - performance.now());
    }
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThan(0.1);
  });
});
