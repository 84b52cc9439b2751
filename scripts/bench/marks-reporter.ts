/**
 * Two of these, first and last in a bench run's reporter list: Playwright runs the reporters' onEnd one after
 * the other, so the time between the first's onEnd and the last's is what the reporters in between spent
 * writing. The last one writes it to BENCH_MARKS as JSON ({ "onEndMs": … }).
 */
import fs from 'node:fs';
import type { Reporter } from '@playwright/test/reporter';

const shared = globalThis as { benchFirstOnEnd?: number };

export default class MarksReporter implements Reporter {
  constructor(private readonly options: { name: 'first' | 'last' }) {}

  printsToStdio(): boolean {
    return false;
  }

  onEnd(): void {
    if (this.options.name === 'first') shared.benchFirstOnEnd = performance.now();
    else if (process.env.BENCH_MARKS && shared.benchFirstOnEnd !== undefined) {
      fs.writeFileSync(process.env.BENCH_MARKS, JSON.stringify({ onEndMs: performance.now() - shared.benchFirstOnEnd }));
    }
  }
}
