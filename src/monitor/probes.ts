/**
 * What one monitoring cycle measures. Every latency is a wall-clock interval measured here, in this process:
 * - API: from the moment the request is given its connection (kept alive, or new: connecting is included) to
 *   the read that brought the last bytes of the body (TimedHttpClient; the one-time start-up of the client in
 *   this process is not included: warmHttpClient());
 * - database: from just before the probe query is sent to its result (one pooled connection, already open);
 * - realtime: from the change's commit (the server's commit_timestamp) to the moment the frame carrying its
 *   event was read from the realtime socket (ArrivalStampedWebSocket).
 * docs/measurement.md repeats this for every figure the suite reports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import type { LoadRequest } from '../../load/profiles.ts';
import { lastMessageArrival } from '../measure/arrival-stamped-websocket.ts';
import { LatencyHistogram } from '../measure/latency-histogram.ts';
import { TimedHttpClient } from '../measure/timed-http.ts';
import { WallClock } from '../measure/wall-clock.ts';
import { describeError } from '../supabase.ts';
import { createProbeVehicle } from '../synthetic/probe-vehicle.ts';

export interface ApiProbeResult {
  p95Ms?: number;
  requests: number;
  failed: number;
  /** The health endpoint answered 2xx: the API is up. */
  healthy: boolean;
  latencies: number[];
  note?: string;
}

let clientWarmed: Promise<void> | undefined;

/**
 * The first requests of a process run Node's HTTP client cold: loaded, compiled, then interpreted until V8 has
 * seen it often enough to optimize it. That is our start-up, not the target's latency, and it showed: with two
 * warm-up requests, the first measurement of a process came out up to 3 ms further above the true p95 than the
 * next (tests/proofs/measurement-honesty.test.ts, 50 ms case). So before the first probe, WARM_UP_REQUESTS
 * requests to a throwaway server on loopback (under 50 ms, once per process) run the same client code hot. The
 * target sees no extra request, and its own connection set-up stays inside the clock.
 */
const WARM_UP_REQUESTS = 50;

export function warmHttpClient(): Promise<void> {
  clientWarmed ??= (async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const client = new TimedHttpClient(5_000);
    try {
      for (let i = 0; i < WARM_UP_REQUESTS; i++) await client.request(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`), { method: 'GET' });
    } finally {
      client.close();
      server.closeAllConnections();
      server.close();
    }
  })().catch(() => undefined); // no loopback here: the first probe request pays the start-up, as before
  return clientWarmed;
}

export interface ProbeOptions {
  timeoutMs?: number;
  /** sent as User-Agent (syntheticUserAgent()), so the target can tell these requests apart */
  userAgent?: string;
}

export async function probeApi(origin: string, requests: LoadRequest[], samples: number, healthPath: string, { timeoutMs = 10_000, userAgent }: ProbeOptions = {}): Promise<ApiProbeResult> {
  await warmHttpClient();
  const client = new TimedHttpClient(timeoutMs);
  const histogram = new LatencyHistogram();
  const latencies: number[] = [];
  let failed = 0;
  let healthy = false;
  const problems = new Map<string, number>();
  try {
    for (let i = 0; i < samples; i++) {
      const r = requests[i % requests.length]!;
      try {
        const headers = userAgent ? { ...r.headers, 'user-agent': userAgent } : r.headers;
        const res = await client.request(new URL(r.path, origin), { method: r.method, headers, body: r.body });
        histogram.record(res.elapsedMs);
        latencies.push(res.elapsedMs);
        const ok = res.status >= 200 && res.status < 400;
        if (!ok) {
          failed++;
          problems.set(`HTTP ${res.status}`, (problems.get(`HTTP ${res.status}`) ?? 0) + 1);
        }
        if (ok && r.path === healthPath) healthy = true;
      } catch (e) {
        failed++;
        const reason = (e as Error).name === 'TimeoutError' ? 'timeout' : ((e as { code?: string }).code ?? 'network error');
        problems.set(reason, (problems.get(reason) ?? 0) + 1);
      }
    }
  } finally {
    client.close();
  }
  const note = problems.size > 0 ? [...problems].map(([k, n]) => `${n}× ${k}`).join(', ') : undefined;
  return { p95Ms: histogram.count > 0 ? histogram.percentile(95) : undefined, requests: samples, failed, healthy, latencies, note };
}

/**
 * Is the API there at all? The health endpoint, tried up to `tries` times: one failed request among many is
 * the error rate's business; "completely unavailable" means it never answered 2xx.
 */
export async function probeHealth(origin: string, healthPath: string, { timeoutMs = 10_000, userAgent }: ProbeOptions = {}, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    try {
      const headers = userAgent ? { 'user-agent': userAgent } : undefined;
      const res = await fetch(new URL(healthPath, origin), { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status >= 200 && res.status < 300) return true;
    } catch {
      // counted as a failed try
    }
  }
  return false;
}

export interface DbProbe {
  measure(samples: number): Promise<{ p95Ms?: number; connections?: number; note?: string }>;
  close(): Promise<void>;
}

/** Direct Postgres probe through SUPABASE_DB_URL: p95 of a probe query and the database's connection count. */
export function databaseProbe(dbUrl: string | undefined, query = 'select count(*) from public.vehicles'): DbProbe {
  if (!dbUrl) return { measure: async () => ({ note: 'not configured (SUPABASE_DB_URL)' }), close: async () => undefined };
  const pool = new pg.Pool({ connectionString: dbUrl, max: 1, connectionTimeoutMillis: 10_000 });
  return {
    async measure(samples) {
      const histogram = new LatencyHistogram();
      try {
        const client = await pool.connect();
        try {
          for (let i = 0; i < samples; i++) {
            const started = performance.now();
            await client.query(query);
            histogram.record(performance.now() - started);
          }
          const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = current_database()');
          return { p95Ms: histogram.percentile(95), connections: Number(rows[0]?.n) };
        } finally {
          client.release();
        }
      } catch (e) {
        return { note: `❌ ${(e as Error).message.split('\n')[0]}` };
      }
    },
    close: () => pool.end(),
  };
}

export interface SentryProbeConfig {
  token?: string;
  org?: string;
  project?: string;
  /** Sentry's API origin; sentry.io unless self-hosted. */
  baseUrl?: string;
}

/** Unresolved issues seen in the last window, by level: fatal counts as critical, error as high. */
export async function probeSentry(cfg: SentryProbeConfig, windowMinutes: number): Promise<{ critical?: number; high?: number; note?: string }> {
  if (!cfg.token || !cfg.org || !cfg.project) return { note: 'not configured' };
  const base = cfg.baseUrl ?? 'https://sentry.io';
  const count = async (level: string) => {
    const url = new URL(`/api/0/projects/${encodeURIComponent(cfg.org!)}/${encodeURIComponent(cfg.project!)}/issues/`, base);
    url.searchParams.set('query', `is:unresolved level:${level} lastSeen:-${Math.max(1, Math.ceil(windowMinutes))}m`);
    url.searchParams.set('limit', '100');
    const res = await fetch(url, { headers: { authorization: `Bearer ${cfg.token}` }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`Sentry answered HTTP ${res.status}`);
    return ((await res.json()) as unknown[]).length;
  };
  try {
    return { critical: await count('fatal'), high: await count('error') };
  } catch (e) {
    return { note: `❌ ${(e as Error).message}` };
  }
}

/**
 * A synthetic vehicle in the smoke tenant that the monitor writes to every cycle: each write must be readable
 * back (else data loss) and must arrive as a realtime event (the latency). Its plate carries the run id, and it
 * is deleted when the window closes; leftovers of killed runs are swept at the next start.
 */
export const PROBE_PLATE_PREFIX = 'MON-';

export interface RealtimeProbe {
  /** Writes `samples` times; returns the p95 write-to-event latency and whether every write read back. */
  measure(samples: number, timeoutMs?: number): Promise<{ p95Ms?: number; samples: number; note?: string; dataLoss?: string }>;
  close(): Promise<void>;
}

async function withRetries<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= tries) throw e;
    }
  }
}

interface ArrivedEvent {
  /** performance.now() when the frame carrying the event was read. */
  at: number;
  /** The same instant as time of day, to the microsecond (WallClock). */
  wallAt: number;
  /** The server's commit_timestamp of the change (NaN when absent). */
  commitAt: number;
}

/**
 * The clock starts at the commit, not at our write request: a slow API (the request waiting before it is
 * served) is the API's latency, not realtime's. The server's commit_timestamp is used when it is plausible on
 * our clock (between sending the write and receiving the event); otherwise the interval from sending the write,
 * an upper bound, is taken.
 */
export function commitToArrival(event: ArrivedEvent, writeStarted: number, writeStartedWall: number): number {
  if (Number.isFinite(event.commitAt) && event.commitAt >= writeStartedWall - 1 && event.commitAt <= event.wallAt) {
    return event.wallAt - event.commitAt;
  }
  return event.at - writeStarted;
}

export async function openRealtimeProbe(client: SupabaseClient, runId: string): Promise<RealtimeProbe> {
  const vehicle = await createProbeVehicle(client, PROBE_PLATE_PREFIX, runId);
  const { id: vehicleId, plate } = vehicle;

  const waiters = new Map<number, (event: ArrivedEvent) => void>();
  // The commit is stamped by the server's clock; the arrival is read on ours, to the microsecond.
  const clock = new WallClock();
  const channel = client.channel(`monitor-${runId}`).on(
    'postgres_changes',
    { event: 'UPDATE', schema: 'public', table: 'vehicles', filter: `id=eq.${vehicleId}` },
    (payload) => {
      // This callback runs inside the dispatch of the message that carried the event (see lastMessageArrival).
      const now = performance.now();
      const arrival = lastMessageArrival();
      const at = arrival > 0 && arrival <= now ? arrival : now;
      const event = { at, wallAt: clock.at(at), commitAt: Date.parse(payload.commit_timestamp) };
      const km = (payload.new as { odometer_km?: number }).odometer_km;
      if (km !== undefined) waiters.get(km)?.(event);
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('realtime channel not subscribed within 10 s')), 10_000);
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve();
      } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        clearTimeout(timer);
        reject(new Error(`realtime channel ${status}${err ? `: ${err.message}` : ''}`));
      }
    });
  });

  let odometer = 0;
  /** One write; resolves with the commit-to-arrival latency of its event, or undefined when none came in time. */
  const writeAndWait = async (timeoutMs: number): Promise<{ latency?: number; readBack: boolean }> => {
    const km = ++odometer;
    const arrived = new Promise<ArrivedEvent | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      waiters.set(km, (event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
    const started = performance.now();
    const startedWall = clock.now();
    // A failed request is the API's error (the error-rate row counts those), not realtime's and not data loss:
    // retry it, and call it data loss only when a read succeeds and the written value is not there.
    await withRetries(async () => {
      const { error: writeError } = await client.from('vehicles').update({ odometer_km: km }).eq('id', vehicleId);
      if (writeError) throw new Error(`probe write failed (${describeError(writeError)})`);
    });
    const event = await arrived;
    waiters.delete(km);
    const row = await withRetries(async () => {
      const { data, error: readError } = await client.from('vehicles').select('odometer_km').eq('id', vehicleId).maybeSingle();
      if (readError) throw new Error(`probe read failed (${describeError(readError)})`);
      return data;
    });
    return { latency: event && commitToArrival(event, started, startedWall), readBack: row?.odometer_km === km };
  };

  let live = false;
  return {
    async measure(samples, timeoutMs = 10_000) {
      try {
        // SUBSCRIBED alone proves nothing: events written right after it can be missed. Measure only once one
        // write has come back as an event.
        if (!live) {
          const first = await writeAndWait(timeoutMs);
          if (first.latency === undefined) {
            return { samples: 0, note: `no event within ${timeoutMs / 1000} s of a write`, dataLoss: first.readBack ? undefined : 'probe write not readable' };
          }
          live = true;
        }
        clock.align();
        const histogram = new LatencyHistogram();
        let missed = 0;
        let lost: string | undefined;
        for (let i = 0; i < samples; i++) {
          const r = await writeAndWait(timeoutMs);
          if (!r.readBack) lost = `synthetic vehicle ${plate}: odometer written as ${odometer}, then not readable`;
          if (r.latency === undefined) {
            // One missing event is enough to report; waiting out the timeout for every sample would stall the window.
            missed++;
            break;
          }
          histogram.record(r.latency);
        }
        if (histogram.count === 0) return { samples: 0, note: `no event within ${timeoutMs / 1000} s of ${samples} writes`, dataLoss: lost };
        return { p95Ms: histogram.percentile(95), samples: histogram.count, note: missed > 0 ? `${missed} of ${samples} events missing` : undefined, dataLoss: lost };
      } catch (e) {
        return { samples: 0, note: (e as Error).message };
      }
    },
    async close() {
      await client.removeChannel(channel);
      // An open realtime socket keeps the process alive; close it explicitly.
      await client.realtime.disconnect();
      await vehicle.remove();
    },
  };
}
