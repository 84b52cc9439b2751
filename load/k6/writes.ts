/// <reference types="k6" />
/**
 * k6 version of the writes profile: every VU PATCHes one synthetic vehicle of the smoke tenant, created for the
 * run in setup() and deleted in teardown() (plate `LOAD-…`, leftovers older than an hour swept first), as
 * `pnpm load --profile=writes` does. Like it, it refuses to run without SMOKE_ALLOW_WRITES=1:
 *   k6 run -e BASE_URL=… -e SUPABASE_ANON_KEY=… -e SMOKE_USER_EMAIL=… -e SMOKE_USER_PASSWORD=… -e SMOKE_ALLOW_WRITES=1 load/k6/writes.ts
 * Thresholds come from load/thresholds.json, the same numbers `pnpm load` judges by, and judge only the
 * profile's own requests (tag profile=writes): setup's sign-in and vehicle creation are not part of the load.
 */
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';

interface Settings {
  p95Ms: number;
  errorRatePct: number;
  connections: number;
  durationSeconds: number;
}

const settings = (JSON.parse(open('../thresholds.json')) as Record<string, Settings>)['writes']!;
const base = __ENV.BASE_URL!.replace(/\/$/, '');
const anonKey = __ENV.SUPABASE_ANON_KEY!;
/** src/load/load-command.ts LOAD_PLATE_PREFIX */
const PLATE_PREFIX = 'LOAD-';

export const options: Options = {
  vus: settings.connections,
  duration: `${settings.durationSeconds}s`,
  thresholds: {
    'http_req_duration{profile:writes}': [`p(95)<${settings.p95Ms}`],
    // `pnpm load` fails only above the limit, so exactly the limit passes here too.
    'http_req_failed{profile:writes}': [`rate<=${settings.errorRatePct / 100}`],
  },
};

interface Run {
  token: string;
  vehicleId: string;
}

const api = (token: string, extra: Record<string, string> = {}) => ({
  headers: { apikey: anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra },
});

export function setup(): Run {
  if (__ENV.SMOKE_ALLOW_WRITES !== '1' && __ENV.SMOKE_ALLOW_WRITES !== 'true') {
    throw new Error('the writes profile writes to the synthetic tenant; pass -e SMOKE_ALLOW_WRITES=1 to allow it');
  }
  const signIn = http.post(
    `${base}/auth/v1/token?grant_type=password`,
    JSON.stringify({ email: __ENV.SMOKE_USER_EMAIL, password: __ENV.SMOKE_USER_PASSWORD, gotrue_meta_security: {} }),
    { headers: { apikey: anonKey, authorization: `Bearer ${anonKey}`, 'content-type': 'application/json' } },
  );
  if (signIn.status !== 200) throw new Error(`smoke user cannot sign in: HTTP ${signIn.status}`);
  const token = (signIn.json() as { access_token: string }).access_token;

  // Vehicles of killed runs (src/synthetic/probe-vehicle.ts sweepProbeVehicles): this prefix, older than an hour.
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  http.del(`${base}/rest/v1/vehicles?plate=like.${encodeURIComponent(`${PLATE_PREFIX}%`)}&created_at=lt.${encodeURIComponent(hourAgo)}`, null, api(token));

  // The synthetic vehicle (createProbeVehicle): in the first branch the smoke user sees, plate from the run id.
  const branches = http.get(`${base}/rest/v1/branches?select=id,corporate_id&limit=1`, api(token));
  const branch = branches.status === 200 ? (branches.json() as Array<{ id: string; corporate_id: string }>)[0] : undefined;
  if (!branch) throw new Error(`no branch visible to the smoke user (HTTP ${branches.status})`);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const runId = `load-${stamp}-${Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0')}`;
  const plate = `${PLATE_PREFIX}${runId.slice(-13)}`;
  const created = http.post(
    `${base}/rest/v1/vehicles?select=id`,
    JSON.stringify({ corporate_id: branch.corporate_id, branch_id: branch.id, plate, make: 'Synthetic', model: runId, year: 2024 }),
    api(token, { prefer: 'return=representation' }),
  );
  if (created.status !== 201) throw new Error(`cannot create the synthetic vehicle ${plate}: HTTP ${created.status}`);
  return { token, vehicleId: (created.json() as Array<{ id: string }>)[0]!.id };
}

export default function (run: Run): void {
  // load/profiles.ts profileRequests('writes'); autocannon's timeout is 10 s.
  const res = http.patch(`${base}/rest/v1/vehicles?id=eq.${run.vehicleId}`, JSON.stringify({ odometer_km: 1 }), {
    ...api(run.token, { prefer: 'return=minimal' }),
    tags: { profile: 'writes' },
    timeout: '10s',
  });
  check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
}

export function teardown(run: Run): void {
  http.del(`${base}/rest/v1/vehicles?id=eq.${run.vehicleId}`, null, api(run.token));
}
