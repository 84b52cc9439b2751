/**
 * The security faults that show over HTTP, seen as a scanner sees the site with plain fetch: the security headers
 * of every page (headers_missing) and the service-role key in what the pages load (service_key_exposed). One
 * sandbox; faults are switched through PUT /__sandbox/faults while it runs. Keys are compared with includes() so
 * that a failure never prints one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../db/seed-data.ts';
import { startSandbox, type RunningSandbox } from '../index.ts';
import { pageSessionCookie } from '../testing/fixtures.ts';
import { APP_BUNDLE_PATH, ENV_CONFIG_PATH, SUPABASE_BUNDLE_PATH } from '../web/assets.ts';
import { SECURITY_HEADERS } from '../web/security-headers.ts';

let sandbox: RunningSandbox;
let cookie: string;
const synthetic = SEED.tenants.find((t) => t.isSynthetic)!;

const HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(self)',
  'content-security-policy': "frame-ancestors 'none'",
};

async function setFaults(spec: string): Promise<void> {
  const response = await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${sandbox.env.SUPABASE_SERVICE_ROLE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ faults: spec }),
  });
  expect(response.status).toBe(200);
}

/** Every HTML page the site serves, signed out and signed in, with the status each answers. */
async function pages(): Promise<{ path: string; response: Response; html: string }[]> {
  const { data: vehicle } = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles?select=id&corporate_id=eq.${synthetic.id}&limit=1`, {
    headers: { apikey: sandbox.env.SUPABASE_SERVICE_ROLE_KEY, authorization: `Bearer ${sandbox.env.SUPABASE_SERVICE_ROLE_KEY}` },
  }).then(async (r) => ({ data: ((await r.json()) as { id: string }[])[0]! }));
  const visits: [path: string, init: RequestInit, status: number][] = [
    ['/login', {}, 200],
    ['/', {}, 200], // redirected to /login
    ['/', { headers: { cookie } }, 200], // redirected to /dashboard
    ['/dashboard', { headers: { cookie } }, 200],
    ['/vehicles', { headers: { cookie } }, 200],
    [`/vehicles/${vehicle.id}`, { headers: { cookie } }, 200],
    ['/vehicles/00000000-0000-4000-8000-000000000000', { headers: { cookie } }, 404],
    ['/handshakes', { headers: { cookie } }, 200],
    ['/inspections', { headers: { cookie } }, 200],
    ['/no-such-page', {}, 404],
  ];
  const out = [];
  for (const [path, init, status] of visits) {
    const response = await fetch(`${sandbox.baseUrl}${path}`, init);
    expect(response.status, path).toBe(status);
    expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
    out.push({ path, response, html: await response.text() });
  }
  const failedLogin = await fetch(`${sandbox.baseUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: sandbox.env.SMOKE_USER_EMAIL, password: 'wrong' }).toString(),
  });
  expect(failedLogin.status).toBe(400);
  out.push({ path: 'POST /login (refused)', response: failedLogin, html: await failedLogin.text() });
  return out;
}

const scriptSources = (html: string) => [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);

/** Every script a page loads: its `<script src>`s, the bundle it loads after load, supabase-js and the maps loader. */
async function scripts(): Promise<Map<string, string>> {
  const paths = new Set<string>([APP_BUNDLE_PATH, SUPABASE_BUNDLE_PATH, '/maps/api/js?key=x&callback=init']);
  for (const { html } of await pages()) for (const src of scriptSources(html)) paths.add(src);
  const out = new Map<string, string>();
  for (const path of paths) {
    const response = await fetch(new URL(path, sandbox.baseUrl));
    expect(response.status, path).toBe(200);
    out.set(path, await response.text());
  }
  return out;
}

beforeAll(async () => {
  sandbox = await startSandbox({ faults: '' });
  cookie = await pageSessionCookie(sandbox);
});
afterAll(() => sandbox?.stop());
afterEach(async () => {
  await sandbox.faults.replace('');
});

describe('security headers', () => {
  it('are the six the scan expects', () => {
    expect(Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k.toLowerCase(), v]))).toEqual(HEADERS);
  });

  it('every HTML page sends them by default (signed in or not, 404 and refused sign-in included)', async () => {
    for (const { path, response } of await pages()) {
      for (const [name, value] of Object.entries(HEADERS)) expect(response.headers.get(name), `${path} ${name}`).toBe(value);
    }
    // The error page too (a page whose table is gone answers 500).
    await setFaults('table_missing=vehicles');
    const broken = await fetch(`${sandbox.baseUrl}/vehicles`, { headers: { cookie } });
    expect(broken.status).toBe(500);
    for (const [name, value] of Object.entries(HEADERS)) expect(broken.headers.get(name), `500 ${name}`).toBe(value);
    await setFaults('');
    // API answers are Supabase's, not the app's.
    const api = await fetch(`${sandbox.baseUrl}/api/health`);
    expect(api.headers.get('x-frame-options')).toBeNull();
  });

  it('headers_missing: no page sends any of them, nothing says why; back when switched off', async () => {
    await setFaults('headers_missing');
    for (const { path, response, html } of await pages()) {
      for (const name of Object.keys(HEADERS)) expect(response.headers.get(name), `${path} ${name}`).toBeNull();
      expect(html + JSON.stringify([...response.headers])).not.toMatch(/fault|__sandbox/i);
    }
    await setFaults('');
    for (const { path, response } of await pages()) expect(response.headers.get('x-frame-options'), path).toBe('DENY');
  });
});

describe('the service-role key', () => {
  it('every page loads the env-config script with <script src>', async () => {
    for (const { path, html } of await pages()) expect(scriptSources(html), path).toContain(ENV_CONFIG_PATH);
  });

  it('by default is in no page and no script the site serves (the anon key is, as it should be)', async () => {
    const key = sandbox.env.SUPABASE_SERVICE_ROLE_KEY;
    for (const { path, html } of await pages()) expect(html.includes(key), path).toBe(false);
    const served = await scripts();
    for (const [path, text] of served) expect(text.includes(key), path).toBe(false);
    expect(served.get(ENV_CONFIG_PATH)!.includes(sandbox.env.SUPABASE_ANON_KEY)).toBe(true);
  });

  it('service_key_exposed: the env-config script carries it as NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY; gone when switched off', async () => {
    const key = sandbox.env.SUPABASE_SERVICE_ROLE_KEY;
    await setFaults('service_key_exposed');
    const served = await scripts();
    const leaking = [...served].filter(([, text]) => text.includes(key)).map(([path]) => path);
    expect(leaking).toEqual([ENV_CONFIG_PATH]);
    const config = served.get(ENV_CONFIG_PATH)!;
    const env = JSON.parse(/^self\.__ENV = (.*);\n$/.exec(config)![1]!) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(['NEXT_PUBLIC_SUPABASE_ANON_KEY', 'NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY']);
    expect(env['NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY'] === key).toBe(true);
    expect(config).not.toMatch(/fault|__sandbox/i);
    // The key works as what it is: it reads every tenant's vehicles.
    const all = await fetch(`${sandbox.baseUrl}/rest/v1/vehicles?select=id`, {
      headers: { apikey: env['NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY']!, authorization: `Bearer ${env['NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY']}` },
    });
    expect(((await all.json()) as unknown[]).length).toBe(SEED.tenants.reduce((n, t) => n + t.vehicleCount, 0));

    await setFaults('');
    for (const [path, text] of await scripts()) expect(text.includes(key), path).toBe(false);
    for (const { path, html } of await pages()) expect(html.includes(key), path).toBe(false);
  });
});
