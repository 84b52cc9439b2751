/**
 * Load profiles: what each one requests, and the thresholds (p95 and error rate) that decide pass or fail.
 * The thresholds live in thresholds.json so the autocannon runner and the k6 scripts read the same numbers.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { appProfile } from '../src/config/app-profile.ts';

export const thresholdsSchema = z.object({
  p95Ms: z.number().positive(),
  errorRatePct: z.number().min(0).max(100),
  connections: z.number().int().positive(),
  durationSeconds: z.number().positive(),
});
export type ProfileSettings = z.infer<typeof thresholdsSchema>;

export const PROFILE_SETTINGS: Record<ProfileName, ProfileSettings> = z
  .object({ 'read-mix': thresholdsSchema, 'sign-in': thresholdsSchema, writes: thresholdsSchema })
  .parse(JSON.parse(readFileSync(new URL('./thresholds.json', import.meta.url), 'utf8')));

export const PROFILE_NAMES = ['read-mix', 'sign-in', 'writes'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ProfileContext {
  anonKey: string;
  /** The smoke user's access token (read-mix reads as that user, so row-level security is in the path). */
  accessToken?: string;
  email: string;
  password: string;
  /** The synthetic vehicle the writes profile updates (created for the run, deleted after it). */
  syntheticVehicleId?: string;
}

/** The request mix of a profile, cycled through by every connection. */
export function profileRequests(name: ProfileName, ctx: ProfileContext): LoadRequest[] {
  const api = (token: string) => ({ apikey: ctx.anonKey, authorization: `Bearer ${token}` });
  switch (name) {
    case 'read-mix': {
      const token = ctx.accessToken ?? ctx.anonKey;
      return [
        { method: 'GET', path: appProfile.paths.health, headers: {} },
        { method: 'GET', path: appProfile.paths.login, headers: {} },
        { method: 'GET', path: '/rest/v1/vehicles?select=id,plate,status&limit=50', headers: api(token) },
        { method: 'GET', path: '/rest/v1/branches?select=id,name', headers: api(token) },
      ];
    }
    case 'writes': {
      if (!ctx.accessToken || !ctx.syntheticVehicleId) throw new Error('the writes profile needs a signed-in smoke user and its synthetic vehicle');
      return [
        {
          method: 'PATCH',
          path: `/rest/v1/vehicles?id=eq.${ctx.syntheticVehicleId}`,
          headers: { ...api(ctx.accessToken), 'content-type': 'application/json', prefer: 'return=minimal' },
          body: JSON.stringify({ odometer_km: 1 }),
        },
      ];
    }
    case 'sign-in':
      return [
        {
          method: 'POST',
          path: '/auth/v1/token?grant_type=password',
          headers: { ...api(ctx.anonKey), 'content-type': 'application/json' },
          body: JSON.stringify({ email: ctx.email, password: ctx.password, gotrue_meta_security: {} }),
        },
      ];
  }
}
