/**
 * The k6 twins of the load profiles (load/k6/NAME.ts), without a k6 binary: each script is loaded with a
 * recording stand-in for k6's `http` module and its globals (`open`, `__ENV`), one iteration is run, and what it
 * would send is compared with the autocannon profile's requests (load/profiles.ts); its thresholds are compared
 * with load/thresholds.json, and shown to follow that file when its numbers change (built from the values, not
 * retyped). `pnpm exec tsc --noEmit` type-checks the scripts against @types/k6; this checks what they do.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROFILE_NAMES, PROFILE_SETTINGS, profileRequests, type ProfileName } from '../../load/profiles.ts';

const K6_DIR = fileURLToPath(new URL('../../load/k6/', import.meta.url));
const THRESHOLDS = readFileSync(fileURLToPath(new URL('../../load/thresholds.json', import.meta.url)), 'utf8');
const BASE = 'http://target.test';
const ENV = { BASE_URL: `${BASE}/`, SUPABASE_ANON_KEY: 'anon-key', SMOKE_USER_EMAIL: 'smoke@example.com', SMOKE_USER_PASSWORD: 'pw', SMOKE_ALLOW_WRITES: '1' };
const TOKEN = 'user-token';
const VEHICLE_ID = 'veh-1';

interface Sent {
  method: string;
  url: string;
  body: string | null;
  headers: Record<string, string>;
  tags?: Record<string, string>;
}

const k6 = vi.hoisted(() => {
  const sent: Sent[] = [];
  // What a Supabase target answers to the requests the scripts make outside their iteration.
  const answer = (method: string, url: string) => {
    const body =
      url.includes('/auth/v1/token') ? { access_token: 'user-token' } : url.includes('/rest/v1/branches') ? [{ id: 'br-1', corporate_id: 'co-1' }] : method === 'POST' ? [{ id: 'veh-1' }] : null;
    const status = method === 'POST' && url.includes('/rest/v1/vehicles') ? 201 : 200;
    return { status, json: () => body };
  };
  const request = (method: string, url: string, body?: string | null, params?: { headers?: Record<string, string>; tags?: Record<string, string> }) => {
    sent.push({ method, url, body: body ?? null, headers: params?.headers ?? {}, tags: params?.tags });
    return answer(method, url);
  };
  const http = {
    get: (url: string, params?: object) => request('GET', url, null, params),
    post: (url: string, body?: string, params?: object) => request('POST', url, body, params),
    patch: (url: string, body?: string, params?: object) => request('PATCH', url, body, params),
    del: (url: string, body?: string | null, params?: object) => request('DELETE', url, body, params),
    batch: (reqs: Array<[string, string, (string | null)?, object?]>) => reqs.map(([m, u, b, p]) => request(m, u, b, p)),
  };
  return { sent, http, check: vi.fn(() => true) };
});
vi.mock('k6', () => ({ check: k6.check }));
vi.mock('k6/http', () => ({ default: k6.http }));

interface Script {
  options: { vus: number; duration: string; thresholds: Record<string, unknown[]> };
  setup?: () => unknown;
  default: (data?: unknown) => void;
  teardown?: (data: unknown) => void;
}

async function load(name: string, thresholds = THRESHOLDS): Promise<Script> {
  vi.resetModules();
  vi.stubGlobal('__ENV', ENV);
  vi.stubGlobal('open', (file: string) => {
    expect(path.resolve(K6_DIR, file)).toBe(path.resolve(K6_DIR, '../thresholds.json'));
    return thresholds;
  });
  return (await import(path.join(K6_DIR, `${name}.ts`))) as Script;
}

/** One iteration of the script's default function, after its setup; returns what the iteration sent. */
function iterate(script: Script): { iteration: Sent[]; setup: Sent[]; teardown: Sent[] } {
  k6.sent.length = 0;
  const data = script.setup?.();
  const setup = k6.sent.splice(0);
  script.default(data);
  const iteration = k6.sent.splice(0);
  script.teardown?.(data);
  return { iteration, setup, teardown: k6.sent.splice(0) };
}

/** The thresholds' numbers, from their labels: p(95)<N ms and rate<=R (a fraction, as k6 writes it). */
function limits(thresholds: Record<string, unknown[]>) {
  const label = (t: unknown) => (typeof t === 'string' ? t : (t as { threshold: string }).threshold);
  const find = (metric: string) => Object.entries(thresholds).filter(([k]) => k === metric || k.startsWith(`${metric}{`));
  const [duration] = find('http_req_duration');
  const [failed] = find('http_req_failed');
  return {
    p95Ms: Number(/^p\(95\)<(\d+(?:\.\d+)?)$/.exec(label(duration![1][0]))?.[1]),
    errorRate: Number(/^rate<=(\d+(?:\.\d+)?)$/.exec(label(failed![1][0]))?.[1]),
    metrics: [duration![0], failed![0]],
  };
}

beforeEach(() => k6.check.mockClear());
afterEach(() => vi.unstubAllGlobals());

describe('load/k6 scripts', () => {
  it('exist for every load profile, and only for those', () => {
    expect(readdirSync(K6_DIR).filter((f) => f.endsWith('.ts')).sort()).toEqual(PROFILE_NAMES.map((n) => `${n}.ts`).sort());
    for (const name of PROFILE_NAMES) expect(existsSync(path.join(K6_DIR, `${name}.ts`))).toBe(true);
  });

  for (const name of PROFILE_NAMES) {
    it(`${name}: one iteration sends the autocannon profile's requests`, async () => {
      const script = await load(name);
      const { iteration, setup, teardown } = iterate(script);
      const expected = profileRequests(name as ProfileName, {
        anonKey: ENV.SUPABASE_ANON_KEY,
        accessToken: name === 'sign-in' ? undefined : TOKEN,
        email: ENV.SMOKE_USER_EMAIL,
        password: ENV.SMOKE_USER_PASSWORD,
        syntheticVehicleId: name === 'writes' ? VEHICLE_ID : undefined,
      });
      expect(iteration.map((s) => ({ method: s.method, path: s.url.slice(BASE.length), headers: s.headers, body: s.body ?? undefined }))).toEqual(
        expected.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body })),
      );
      expect(iteration.every((s) => s.url.startsWith(`${BASE}/`))).toBe(true);
      expect(k6.check).toHaveBeenCalledTimes(iteration.length);
      if (name === 'writes') {
        // Like `pnpm load --profile=writes`: leftovers swept, a synthetic LOAD- vehicle created, then removed.
        expect(setup.map((s) => `${s.method} ${s.url.slice(BASE.length).split('?')[0]}`)).toEqual([
          'POST /auth/v1/token',
          'DELETE /rest/v1/vehicles',
          'GET /rest/v1/branches',
          'POST /rest/v1/vehicles',
        ]);
        expect(decodeURIComponent(setup[1]!.url)).toMatch(/plate=like\.LOAD-%&created_at=lt\.\d{4}-/);
        expect(JSON.parse(setup[3]!.body!)).toMatchObject({ corporate_id: 'co-1', branch_id: 'br-1', plate: expect.stringMatching(/^LOAD-/), make: 'Synthetic' });
        expect(teardown.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([`DELETE /rest/v1/vehicles?id=eq.${VEHICLE_ID}`]);
        // Only the profile's own requests are judged by the thresholds.
        expect(iteration.every((s) => s.tags?.profile === 'writes')).toBe(true);
        expect(setup.concat(teardown).some((s) => s.tags?.profile === 'writes')).toBe(false);
      }
    });

    it(`${name}: thresholds, VUs and duration are load/thresholds.json's, and follow it when it changes`, async () => {
      const script = await load(name);
      const settings = PROFILE_SETTINGS[name];
      expect(script.options.vus).toBe(settings.connections);
      expect(script.options.duration).toBe(`${settings.durationSeconds}s`);
      const own = limits(script.options.thresholds);
      expect({ p95Ms: own.p95Ms, errorRate: own.errorRate }).toEqual({ p95Ms: settings.p95Ms, errorRate: settings.errorRatePct / 100 });
      if (name === 'writes') expect(own.metrics).toEqual(['http_req_duration{profile:writes}', 'http_req_failed{profile:writes}']);

      const changed = JSON.parse(THRESHOLDS) as Record<string, Record<string, number>>;
      changed[name] = { p95Ms: 1234, errorRatePct: 7, connections: 3, durationSeconds: 9 };
      const other = await load(name, JSON.stringify(changed));
      expect(other.options).toMatchObject({ vus: 3, duration: '9s' });
      expect(limits(other.options.thresholds)).toMatchObject({ p95Ms: 1234, errorRate: 0.07 });
    });
  }

  it('writes: refuses to run without SMOKE_ALLOW_WRITES=1, before sending anything', async () => {
    const script = await load('writes');
    vi.stubGlobal('__ENV', { ...ENV, SMOKE_ALLOW_WRITES: '' });
    k6.sent.length = 0;
    expect(() => script.setup!()).toThrow(/SMOKE_ALLOW_WRITES=1/);
    expect(k6.sent).toEqual([]);
  });
});
