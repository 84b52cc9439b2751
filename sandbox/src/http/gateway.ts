import type { Context, MiddlewareHandler } from 'hono';
import type { KeyRing } from '../keys.ts';

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(c: Context): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  return match?.[1];
}

export function apiKey(c: Context): string | undefined {
  return c.req.header('apikey') ?? c.req.query('apikey') ?? undefined;
}

/**
 * What Supabase's API gateway does before any service sees a request: an `apikey` (header, or query parameter as
 * the realtime socket sends it) must be one of the project's keys.
 */
export function requireApiKey(keys: KeyRing): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const key = apiKey(c);
    if (!key) {
      return c.json({ message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' }, 401);
    }
    if (key !== keys.anonKey && key !== keys.serviceRoleKey) {
      return c.json({ message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' }, 401);
    }
    return next();
  };
}
