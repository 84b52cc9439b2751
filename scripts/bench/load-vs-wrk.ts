/**
 * Is our load harness the bottleneck? autocannon (as `pnpm load` drives it) and wrk, one after the other, on
 * the same endpoint with the same connection count and duration. Requests per second of each.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runProfile } from '../../src/load/run-profile.ts';

export interface HarnessComparison {
  url: string;
  connections: number;
  seconds: number;
  autocannonRps: number;
  wrkRps?: number;
  /** Why wrk was not measured, when it was not. */
  wrkMissing?: string;
}

export async function compareWithWrk(origin: string, path: string, connections: number, seconds: number): Promise<HarnessComparison> {
  const ours = await runProfile(origin, [{ method: 'GET', path, headers: {} }], { p95Ms: 60_000, errorRatePct: 100, connections, durationSeconds: seconds });
  const url = new URL(path, origin).toString();
  let wrkRps: number | undefined;
  let wrkMissing: string | undefined;
  try {
    // Asynchronously: the sandbox under test may run in this very process.
    const { stdout: out } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, url], { encoding: 'utf8' });
    wrkRps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  } catch {
    wrkMissing = 'wrk is not installed (Debian: apt-get install wrk)';
  }
  return { url, connections, seconds, autocannonRps: ours.requestsPerSecond, wrkRps, wrkMissing };
}
