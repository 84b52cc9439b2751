/// <reference types="k6" />
/**
 * k6 version of the sign-in profile:
 *   k6 run -e BASE_URL=… -e SUPABASE_ANON_KEY=… -e SMOKE_USER_EMAIL=… -e SMOKE_USER_PASSWORD=… load/k6/sign-in.ts
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

const settings = (JSON.parse(open('../thresholds.json')) as Record<string, Settings>)['sign-in']!;
const base = __ENV.BASE_URL!.replace(/\/$/, '');
const anonKey = __ENV.SUPABASE_ANON_KEY!;

export const options: Options = {
  vus: settings.connections,
  duration: `${settings.durationSeconds}s`,
  thresholds: {
    http_req_duration: [`p(95)<${settings.p95Ms}`],
    http_req_failed: [`rate<=${settings.errorRatePct / 100}`], // `pnpm load` fails only above the limit
  },
};

export default function (): void {
  const res = http.post(
    `${base}/auth/v1/token?grant_type=password`,
    JSON.stringify({ email: __ENV.SMOKE_USER_EMAIL, password: __ENV.SMOKE_USER_PASSWORD, gotrue_meta_security: {} }),
    { headers: { apikey: anonKey, authorization: `Bearer ${anonKey}`, 'content-type': 'application/json' } },
  );
  check(res, { 'signed in': (r) => r.status === 200 && typeof (r.json() as { access_token?: unknown }).access_token === 'string' });
}
