/**
 * /__sandbox/timings, seen from outside: what the sandbox records of the requests it serves and the change
 * events it sends, the clock the proofs hold the suite's latency figures against.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../index.ts';
import { signedIn } from '../testing/fixtures.ts';

let sandbox: RunningSandbox;

const timings = async (method: 'GET' | 'PUT', body?: object, token = sandbox.env.SUPABASE_SERVICE_ROLE_KEY) =>
  fetch(`${sandbox.baseUrl}/__sandbox/timings`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });

interface Snapshot {
  recording: boolean;
  requests: { method: string; url: string; userAgent: string; status: number; arrivedAt: number; finishedAt: number }[];
  deliveries: { topic: string; table: string; type: string; committedAt: number; sentAt: number }[];
}

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox?.stop());

describe('/__sandbox/timings', () => {
  it('answers only the service role, and refuses a body that is not {"recording": boolean}', async () => {
    expect((await timings('GET', undefined, sandbox.env.SUPABASE_ANON_KEY)).status).toBe(403);
    expect((await timings('PUT', { recording: 'yes' })).status).toBe(400);
    expect(await (await timings('GET')).json()).toEqual({ recording: false, requests: [], deliveries: [] });
  });

  it('times each request from its arrival to its last byte, the fault delay inside, itself outside', async () => {
    await sandbox.faults.replace('api_slow=120');
    try {
      expect((await timings('PUT', { recording: true })).status).toBe(200);
      const before = Date.now();
      const res = await fetch(`${sandbox.baseUrl}/api/health`, { headers: { 'user-agent': 'timing-test' } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const after = Date.now();
      await timings('PUT', { recording: false });
      // Not recorded once stopped.
      await (await fetch(`${sandbox.baseUrl}/api/health`)).arrayBuffer();
      const snap = (await (await timings('GET')).json()) as Snapshot;
      expect(snap.recording).toBe(false);
      expect(snap.requests).toHaveLength(1);
      const [r] = snap.requests;
      expect(r).toMatchObject({ method: 'GET', url: '/api/health', userAgent: 'timing-test', status: 200 });
      expect(r!.finishedAt - r!.arrivedAt).toBeGreaterThanOrEqual(120);
      // On this machine's clock, inside the client's own interval (Date.now() counts whole milliseconds).
      expect(r!.arrivedAt).toBeGreaterThanOrEqual(before - 1);
      expect(r!.finishedAt).toBeLessThanOrEqual(after + 1);
    } finally {
      await sandbox.faults.replace('');
    }
  });

  it('times each change event from its commit to its frame leaving, realtime_slow inside', async () => {
    const supabase = await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD);
    const { data: vehicle } = await supabase.from('vehicles').select('id, odometer_km').limit(1).single();
    const arrived = new Promise<number>((resolve) => {
      supabase
        .channel('timings')
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'vehicles', filter: `id=eq.${vehicle!.id}` }, () => resolve(Date.now()))
        .subscribe(async (status) => {
          if (status !== 'SUBSCRIBED') return;
          await sandbox.faults.replace('realtime_slow=80');
          await timings('PUT', { recording: true });
          await supabase.from('vehicles').update({ odometer_km: vehicle!.odometer_km }).eq('id', vehicle!.id);
        });
    });
    try {
      const at = await arrived;
      const snap = (await (await timings('GET')).json()) as Snapshot;
      const events = snap.deliveries.filter((d) => d.topic === 'realtime:timings');
      expect(events).toHaveLength(1);
      const [e] = events;
      expect(e).toMatchObject({ table: 'vehicles', type: 'UPDATE' });
      expect(e!.sentAt - e!.committedAt).toBeGreaterThanOrEqual(80);
      expect(e!.sentAt).toBeLessThanOrEqual(at + 1);
      expect(Number.isInteger(e!.sentAt)).toBe(false);
    } finally {
      await supabase.removeAllChannels();
      await sandbox.faults.replace('');
      await timings('PUT', { recording: false });
    }
  });
});
