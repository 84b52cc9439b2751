/**
 * Sandbox figures: time to ready with and without the saved PGlite data dir, and the REST vehicles list under
 * 20 concurrent connections (autocannon, true p50/p95 from every response).
 */
import { rmSync } from 'node:fs';
import { startSandbox } from '../../sandbox/src/index.ts';
import { DEFAULT_SNAPSHOT_DIR } from '../../sandbox/src/db/pglite-snapshot.ts';
import { runProfile } from '../../src/load/run-profile.ts';
import { makeClient } from '../../src/supabase.ts';
import type { LatencySummary } from '../../src/measure/latency-histogram.ts';

/** Wall time of `startSandbox()` to a listening, seeded sandbox, `runs` times. */
export async function readyTimes(runs: number, cached: boolean): Promise<number[]> {
  const times: number[] = [];
  // A cached run needs the snapshot to exist: one unmeasured start makes sure it does.
  if (cached) await (await startSandbox({ port: 0, faults: '' })).stop();
  for (let i = 0; i < runs; i++) {
    if (!cached) rmSync(DEFAULT_SNAPSHOT_DIR, { recursive: true, force: true });
    const started = performance.now();
    const sandbox = await startSandbox({ port: 0, faults: '' });
    times.push(performance.now() - started);
    await sandbox.stop();
  }
  return times;
}

export async function restVehiclesUnderLoad(connections: number, seconds: number): Promise<{ rps: number; latency: LatencySummary; errors: number }> {
  const sandbox = await startSandbox({ port: 0, faults: '' });
  try {
    const { env } = sandbox;
    const { data } = await makeClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY).auth.signInWithPassword({
      email: env.SMOKE_USER_EMAIL,
      password: env.SMOKE_USER_PASSWORD,
    });
    const token = data.session!.access_token;
    const result = await runProfile(
      sandbox.baseUrl,
      [{ method: 'GET', path: '/rest/v1/vehicles?select=id,plate,status,branch_id&order=plate.asc&limit=50', headers: { apikey: env.SUPABASE_ANON_KEY, authorization: `Bearer ${token}` } }],
      { p95Ms: 60_000, errorRatePct: 100, connections, durationSeconds: seconds },
    );
    return { rps: result.requestsPerSecond, latency: result.latency, errors: result.errors };
  } finally {
    await sandbox.stop();
  }
}
