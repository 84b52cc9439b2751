/**
 * `pnpm load` on the embedded sandbox: each profile runs, reports a true p95 and error rate, decides by its
 * thresholds, and the writes profile leaves no synthetic vehicle behind.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from './run-cli.ts';

interface LoadJson {
  profile: string;
  requests: number;
  errors: number;
  latency: { p95: number; count: number };
  failures: string[];
}

describe('pnpm load on the embedded sandbox', () => {
  it.each(['read-mix', 'sign-in', 'writes'])('%s: measures every request and judges by its thresholds', async (profile) => {
    const run = await runScript('scripts/load.ts', [`--profile=${profile}`, '--duration=2', '--connections=2', '--json']);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as LoadJson;
    expect(result.profile).toBe(profile);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.latency.count).toBe(result.requests);
    expect(result.latency.p95).toBeGreaterThan(0);
    // Pass or fail is the thresholds' call (this machine's load decides the p95); the exit code must agree.
    expect(run.code).toBe(result.failures.length === 0 ? 0 : 1);
  });
});
