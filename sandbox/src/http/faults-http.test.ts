/**
 * The switchboard and the faults that show over HTTP, seen from outside: plain fetch and the real supabase-js.
 * One sandbox; faults are switched through PUT /__sandbox/faults while it runs, as a monitor would see them.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../index.ts';
import { client, pageSessionCookie, signedIn } from '../testing/fixtures.ts';

let sandbox: RunningSandbox;
let smoke: SupabaseClient;
const SYNTHETIC_VEHICLES = 8;
const ALL_VEHICLES = 50;

const control = (method: string, token: string | undefined, body?: unknown) =>
  fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

async function setFaults(spec: string): Promise<void> {
  const response = await control('PUT', sandbox.env.SUPABASE_SERVICE_ROLE_KEY, { faults: spec });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ faults: spec });
}

const pageCookie = () => pageSessionCookie(sandbox);

const noFaultWords = (text: string) => expect(text).not.toMatch(/fault|sandbox_faults|__sandbox/i);

beforeAll(async () => {
  sandbox = await startSandbox();
  smoke = await signedIn(sandbox.env, sandbox.env.SMOKE_USER_EMAIL, sandbox.env.SMOKE_USER_PASSWORD);
});
afterAll(() => sandbox?.stop());
afterEach(async () => {
  await sandbox.faults.replace('');
});

describe('the fault switchboard /__sandbox/faults', () => {
  it('answers only the service role: 401 without or with a bad token, 403 for anon and users', async () => {
    expect((await control('GET', undefined)).status).toBe(401);
    expect((await control('GET', 'a.b.c')).status).toBe(401);
    expect((await control('GET', sandbox.env.SUPABASE_ANON_KEY)).status).toBe(403);
    const { data } = await smoke.auth.getSession();
    expect((await control('PUT', data.session!.access_token, { faults: 'health_down' })).status).toBe(403);
    const read = await control('GET', sandbox.env.SUPABASE_SERVICE_ROLE_KEY);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ faults: '' });
    expect(sandbox.faults.isOn('health_down')).toBe(false);
  });

  it('refuses a bad set with 400 naming the problem and keeps the current one', async () => {
    await setFaults('api_errors=10');
    const bad = await control('PUT', sandbox.env.SUPABASE_SERVICE_ROLE_KEY, { faults: 'health_down,api_slow=soon' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/fault "api_slow" needs an integer/);
    expect((await control('PUT', sandbox.env.SUPABASE_SERVICE_ROLE_KEY, { nope: 1 })).status).toBe(400);
    expect(await (await control('GET', sandbox.env.SUPABASE_SERVICE_ROLE_KEY)).json()).toEqual({ faults: 'api_errors=10' });
    expect(await (await control('DELETE', sandbox.env.SUPABASE_SERVICE_ROLE_KEY)).json()).toEqual({ faults: '' });
  });

  it('health_down appears and disappears mid-run: /api/health 200 → 503 database error → 200', async () => {
    expect((await fetch(`${sandbox.baseUrl}/api/health`)).status).toBe(200);
    await setFaults('health_down');
    const down = await fetch(`${sandbox.baseUrl}/api/health`);
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'error', database: 'error' });
    noFaultWords(text + JSON.stringify([...down.headers]));
    await setFaults('');
    expect((await fetch(`${sandbox.baseUrl}/api/health`)).status).toBe(200);
  });
});

describe('API faults', () => {
  it('api_slow=MS delays API and page responses by MS (the switchboard itself is not slowed)', async () => {
    await setFaults('api_slow=800');
    const timed = async (path: string) => {
      const started = performance.now();
      const response = await fetch(`${sandbox.baseUrl}${path}`, { headers: { apikey: sandbox.env.SUPABASE_ANON_KEY } });
      await response.arrayBuffer();
      return performance.now() - started;
    };
    expect(await timed('/api/health')).toBeGreaterThanOrEqual(790);
    expect(await timed('/rest/v1/vehicles?select=id')).toBeGreaterThanOrEqual(790);
    expect(await timed('/login')).toBeGreaterThanOrEqual(790);
    const started = performance.now();
    await control('GET', sandbox.env.SUPABASE_SERVICE_ROLE_KEY);
    expect(performance.now() - started).toBeLessThan(790);
    await setFaults('');
    expect(await timed('/api/health')).toBeLessThan(790);
  });

  it('api_errors=PCT fails exactly PCT of every 100 API requests, evenly: 50 → every second one', async () => {
    await setFaults('api_errors=50');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await smoke.from('vehicles').select('id').limit(1)).status);
    expect(statuses).toEqual([200, 500, 200, 500, 200, 500, 200, 500]);

    await setFaults('api_errors=25');
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await smoke.from('vehicles').select('id').limit(1));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 500, 200, 200, 200, 500]);
    expect(results[3]!.error).toMatchObject({ code: 'XX000', message: 'internal error' });

    await setFaults('api_errors=100');
    const health = await fetch(`${sandbox.baseUrl}/api/health`);
    expect(health.status).toBe(500);
    noFaultWords(await health.text());
    const { error } = await client(sandbox.env).auth.signInWithPassword({
      email: sandbox.env.SMOKE_USER_EMAIL,
      password: sandbox.env.SMOKE_USER_PASSWORD,
    });
    expect(error).toMatchObject({ status: 500 });
    // Pages are not API requests.
    expect((await fetch(`${sandbox.baseUrl}/login`)).status).toBe(200);
  });

  it('auth_down: /auth/v1 answers 503 from the gateway, the login page shows the failure, REST still serves issued tokens', async () => {
    const cookie = await pageCookie();
    await setFaults('auth_down');
    const { data, error } = await client(sandbox.env).auth.signInWithPassword({
      email: sandbox.env.SMOKE_USER_EMAIL,
      password: sandbox.env.SMOKE_USER_PASSWORD,
    });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ name: 'AuthRetryableFetchError', status: 503 });
    const user = await fetch(`${sandbox.baseUrl}/auth/v1/user`, { headers: { apikey: sandbox.env.SUPABASE_ANON_KEY } });
    expect(user.status).toBe(503);
    noFaultWords(await user.text());
    // The apikey is still checked by the gateway.
    expect((await fetch(`${sandbox.baseUrl}/auth/v1/health`)).status).toBe(401);

    const page = await fetch(`${sandbox.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD }).toString(),
      redirect: 'manual',
    });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('<p role="alert">failure to get a peer from the ring-balancer</p>');
    const dashboard = await fetch(`${sandbox.baseUrl}/dashboard`, { headers: { cookie }, redirect: 'manual' });
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.get('location')).toBe('/login');
    expect(dashboard.headers.getSetCookie()).toEqual([]);

    expect((await smoke.from('vehicles').select('id')).data).toHaveLength(SYNTHETIC_VEHICLES);
    await setFaults('');
    expect((await fetch(`${sandbox.baseUrl}/dashboard`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
  });

  it('session_expiry=SECONDS shortens expires_in, expires_at and the JWT exp', async () => {
    await setFaults('session_expiry=120');
    const { data } = await client(sandbox.env).auth.signInWithPassword({
      email: sandbox.env.SMOKE_USER_EMAIL,
      password: sandbox.env.SMOKE_USER_PASSWORD,
    });
    const session = data.session!;
    expect(session.expires_in).toBe(120);
    const claims = JSON.parse(Buffer.from(session.access_token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(120);
    expect(session.expires_at).toBe(claims.exp);
  });

  it('session_expiry: an expired token is refused by the API (401 PGRST303); pages refresh the session from the cookie', async () => {
    await setFaults('session_expiry=1');
    const { data } = await client(sandbox.env).auth.signInWithPassword({
      email: sandbox.env.SMOKE_USER_EMAIL,
      password: sandbox.env.SMOKE_USER_PASSWORD,
    });
    const cookie = await pageCookie();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const expired = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles?select=id`, {
      headers: { apikey: sandbox.env.SUPABASE_ANON_KEY, authorization: `Bearer ${data.session!.access_token}` },
    });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
    const dashboard = await fetch(`${sandbox.baseUrl}/dashboard`, { headers: { cookie }, redirect: 'manual' });
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.getSetCookie().some((c) => c.startsWith('sb-sandbox-auth-token=base64-'))).toBe(true);
  });
});

describe('database faults, switched at run time', () => {
  it('table_missing=vehicles: 404 PGRST205 on the API, the vehicles page fails; back when removed', async () => {
    const cookie = await pageCookie();
    await setFaults('table_missing=vehicles');
    const { data, error, status } = await smoke.from('vehicles').select('id');
    expect(data).toBeNull();
    expect(status).toBe(404);
    expect(error).toMatchObject({ code: 'PGRST205', message: "Could not find the table 'public.vehicles' in the schema cache" });
    const page = await fetch(`${sandbox.baseUrl}/vehicles`, { headers: { cookie } });
    expect(page.status).toBe(500);
    noFaultWords(await page.text());
    // Other tables are untouched.
    expect((await smoke.from('branches').select('id')).status).toBe(200);

    await setFaults('');
    expect((await smoke.from('vehicles').select('id')).data).toHaveLength(SYNTHETIC_VEHICLES);
    expect((await fetch(`${sandbox.baseUrl}/vehicles`, { headers: { cookie } })).status).toBe(200);
  });

  it("rls_off=vehicles: a tenant sees every tenant's vehicles; restored when removed", async () => {
    await setFaults('rls_off=vehicles');
    const { data } = await smoke.from('vehicles').select('plate');
    expect(data).toHaveLength(ALL_VEHICLES);
    expect(data!.some((v) => v.plate.startsWith('MRS-'))).toBe(true);
    expect((await smoke.from('alerts').select('corporate_id')).data!.every((a, _, all) => a.corporate_id === all[0]!.corporate_id)).toBe(true);
    await setFaults('');
    expect((await smoke.from('vehicles').select('plate')).data).toHaveLength(SYNTHETIC_VEHICLES);
  });

  it('rls_hide switched on and off mid-run: empty list without error, then the rows again', async () => {
    await setFaults('rls_hide=vehicles,rls_hide=handshakes');
    expect(await smoke.from('vehicles').select('id')).toMatchObject({ data: [], error: null, status: 200 });
    expect(await smoke.from('handshakes').select('id')).toMatchObject({ data: [], error: null });
    await setFaults('rls_hide=handshakes');
    expect((await smoke.from('vehicles').select('id')).data).toHaveLength(SYNTHETIC_VEHICLES);
    await setFaults('');
    expect((await smoke.from('handshakes').select('id')).data!.length).toBeGreaterThan(0);
  });
});

describe('token lifetime option', () => {
  it('startSandbox({ accessTokenTtl }) sets the lifetime of access tokens', async () => {
    const short = await startSandbox({ accessTokenTtl: 600 });
    try {
      const { data } = await client(short.env).auth.signInWithPassword({
        email: short.env.SMOKE_USER_EMAIL,
        password: short.env.SMOKE_USER_PASSWORD,
      });
      expect(data.session!.expires_in).toBe(600);
    } finally {
      await short.stop();
    }
    await expect(startSandbox({ accessTokenTtl: 0 })).rejects.toThrow(/accessTokenTtl must be a positive whole number/);
  });
});
