/**
 * Realtime latency as an app sees it: a signed-in supabase-js client (Realtime over `ws`) subscribed to INSERTs
 * on alerts, while the same user inserts alerts over REST one at a time. For each event: commit to callback
 * (the callback's clock time minus the event's commit_timestamp, stamped by the database at the end of the
 * writing transaction) and request to callback (from sending the insert until the callback ran).
 *
 *   pnpm exec tsx sandbox/bench/realtime-latency.ts [n] [postgres://…]
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { SEED } from '../src/db/seed-data.ts';
import { startSandbox } from '../src/index.ts';
import { signedIn } from '../src/testing/fixtures.ts';

export interface LatencySummary {
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface RealtimeLatency {
  /** events measured */
  n: number;
  backend: string;
  /** milliseconds from the commit to the subscriber's callback */
  commitToCallback: LatencySummary;
  /** milliseconds from sending the insert to the subscriber's callback */
  requestToCallback: LatencySummary;
}

function summarise(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]!), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

/** Starts a sandbox (PGlite, or PostgreSQL at `databaseUrl`), measures `n` events (after 5 unmeasured ones), stops it. */
export async function measureRealtimeLatency(n = 50, databaseUrl?: string): Promise<RealtimeLatency> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n must be a positive integer, not ${n}`);
  const sandbox = await startSandbox({ port: 0, faults: '', ...(databaseUrl && { databaseUrl }) });
  let supabase: SupabaseClient | undefined;
  try {
    supabase = await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD);
    const tenant = SEED.tenants.find((t) => t.isSynthetic)!.id;
    const waiting = new Map<string, (at: { wall: number; mono: number; committed: number }) => void>();
    const channel = supabase.channel('bench-latency').on(
      'postgres_changes' as never,
      { event: 'INSERT', schema: 'public', table: 'alerts' } as never,
      (payload: { new: { message: string }; commit_timestamp: string }) => {
        const at = { wall: Date.now(), mono: performance.now(), committed: Date.parse(payload.commit_timestamp) };
        waiting.get(payload.new.message)?.(at);
      },
    );
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' ? reject(new Error(status)) : undefined)),
    );
    const commitToCallback: number[] = [];
    const requestToCallback: number[] = [];
    for (let i = -5; i < n; i++) {
      const message = `bench ${i} ${Math.random()}`;
      const arrived = new Promise<{ wall: number; mono: number; committed: number }>((resolve, reject) => {
        waiting.set(message, resolve);
        setTimeout(() => reject(new Error(`event ${i} did not arrive within 10 s`)), 10_000).unref();
      });
      const sent = performance.now();
      const { error } = await supabase.from('alerts').insert({ corporate_id: tenant, kind: 'SPEEDING', severity: 'INFO', message });
      if (error) throw new Error(`insert failed: ${error.message}`);
      const at = await arrived;
      waiting.delete(message);
      if (i < 0) continue; // warm-up
      commitToCallback.push(Math.max(0, at.wall - at.committed));
      requestToCallback.push(at.mono - sent);
    }
    return {
      n,
      backend: databaseUrl ? 'PostgreSQL' : 'PGlite',
      commitToCallback: summarise(commitToCallback),
      requestToCallback: summarise(requestToCallback),
    };
  } finally {
    await supabase?.removeAllChannels();
    await sandbox.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 50);
  console.log(JSON.stringify(await measureRealtimeLatency(n, process.argv[3]), null, 2));
}
