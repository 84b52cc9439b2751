/// <reference types="k6" />
/**
 * k6 version of the read-mix profile, for machines with a k6 binary:
 *   k6 run -e BASE_URL=… -e SUPABASE_ANON_KEY=… -e SMOKE_USER_EMAIL=… -e SMOKE_USER_PASSWORD=… load/k6/read-mix.ts
 * Thresholds come from load/thresholds.json, the same numbers `pnpm load` judges by.
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

const settings = (JSON.parse(open('../thresholds.json')) as Record<string, Settings>)['read-mix']!;
const base = __ENV.BASE_URL!.replace(/\/$/, '');
const anonKey = __ENV.SUPABASE_ANON_KEY!;

export const options: Options = {
  vus: settings.connections,
  duration: `${settings.durationSeconds}s`,
  thresholds: {
    http_req_duration: [{ threshold: `p(95)<${settings.p95Ms}`, abortOnFail: false }],
    http_req_failed: [`rate<=${settings.errorRatePct / 100}`], // `pnpm load` fails only above the limit
  },
};

export function setup(): { token: string } {
  const res = http.post(
    `${base}/auth/v1/token?grant_type=password`,
    JSON.stringify({ email: __ENV.SMOKE_USER_EMAIL, password: __ENV.SMOKE_USER_PASSWORD, gotrue_meta_security: {} }),
    { headers: { apikey: anonKey, authorization: `Bearer ${anonKey}`, 'content-type': 'application/json' } },
  );
  if (res.status !== 200) throw new Error(`smoke user cannot sign in: HTTP ${res.status}`);
  return { token: (res.json() as { access_token: string }).access_token };
}

export default function (data: { token: string }): void {
  const api = { headers: { apikey: anonKey, authorization: `Bearer ${data.token}` } };
  const responses = http.batch([
    ['GET', `${base}/api/health`],
    ['GET', `${base}/login`],
    ['GET', `${base}/rest/v1/vehicles?select=id,plate,status&limit=50`, null, api],
    ['GET', `${base}/rest/v1/branches?select=id,name`, null, api],
  ]);
  for (const res of responses) check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
}
