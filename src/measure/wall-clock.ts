/**
 * The time of day to the microsecond, for intervals whose two ends are read on different machines' clocks or
 * in different processes (a change's commit_timestamp on the server, its arrival here). `Date.now()` follows
 * the system clock but counts whole milliseconds, so each end would be off by up to 1 ms; `performance.now()`
 * has microseconds but is monotonic, and drifts from the system clock as NTP slews it (up to half a second an
 * hour). This clock counts with `performance.now()` from an anchor on the system clock, taken again at every
 * `align()`: call it before each measurement, and the drift within one is a few microseconds.
 */
export class WallClock {
  #offset = 0;

  constructor() {
    this.align();
  }

  /**
   * Anchors to the system clock at the instant its millisecond changes, so the anchor itself is exact: the
   * change lies between the last reading of the old millisecond and the first of the new one, bracketed by
   * `performance.now()`. A bracket is as wide as the process was away in it (descheduled, collecting garbage,
   * or running this loop cold: up to half a millisecond here), so the narrowest of `ticks` changes is kept.
   * Spins for about `ticks` milliseconds.
   */
  align(ticks = 3): void {
    let best = { width: Infinity, offset: 0 };
    let previous = Date.now();
    let lastOld = performance.now();
    for (let seen = 0; seen < ticks; ) {
      const before = performance.now();
      const now = Date.now();
      if (now === previous) {
        lastOld = before;
        continue;
      }
      const after = performance.now();
      if (after - lastOld < best.width) best = { width: after - lastOld, offset: now - (lastOld + after) / 2 };
      previous = now;
      lastOld = after;
      seen++;
    }
    this.#offset = best.offset;
  }

  /** Epoch milliseconds with microsecond fractions. */
  now(): number {
    return this.#offset + performance.now();
  }

  /** The time of day of an earlier `performance.now()` reading. */
  at(performanceTime: number): number {
    return this.#offset + performanceTime;
  }
}
