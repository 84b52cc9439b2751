/**
 * Peak memory of a command and everything it starts (sandbox, Playwright, its workers, the browser): the resident
 * set sizes of the whole process tree, summed, sampled every `everyMs` while it runs.
 */
import { readFileSync } from 'node:fs';
import { processTree } from '../../tests/proofs/run-cli.ts';

function rssBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts sampling `pid`'s tree; `stop()` returns the highest sum seen, in bytes. */
export function sampleTreeMemory(pid: number, everyMs = 250): { stop(): number } {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, processTree(pid).reduce((sum, p) => sum + rssBytes(p), 0));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
