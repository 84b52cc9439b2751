import type { Context, MiddlewareHandler } from 'hono';
import { AUTH_UNREACHABLE } from '../auth/auth-service.ts';
import type { ActiveFaults } from '../faults.ts';

/** The sandbox's own control endpoints: never slowed down or failed by a fault. */
export const CONTROL_PREFIX = '/__sandbox/';

/** The Supabase API and the app's API routes: what `api_errors` counts. */
const API_PREFIXES = ['/rest/v1/', '/auth/v1/', '/storage/v1/', '/functions/v1/', '/api/'];
export const isApiPath = (path: string) => API_PREFIXES.some((prefix) => path.startsWith(prefix));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fault api_slow=MS: every API and page response waits MS before it is produced, as under a saturated backend. */
export function slowResponses(faults: ActiveFaults): MiddlewareHandler {
  return async (c, next) => {
    const ms = faults.numberOf('api_slow');
    if (ms && !c.req.path.startsWith(CONTROL_PREFIX)) await sleep(ms);
    await next();
  };
}

/**
 * Decides which API requests fail under `api_errors=PCT`: request n (counted from 1 since the fault set last
 * changed) fails when ⌊n·PCT/100⌋ > ⌊(n−1)·PCT/100⌋. Exactly PCT of every 100 consecutive requests fail, evenly
 * spread (50: every second one, starting with the second; 100: all; 25: the 4th, 8th, …), so a test can count on it.
 */
export class ErrorBudget {
  #count = 0;
  #generation = -1;

  constructor(private readonly faults: ActiveFaults) {}

  /** counts one request; true when it must fail */
  next(): boolean {
    const pct = this.faults.numberOf('api_errors');
    if (this.#generation !== this.faults.generation) {
      this.#generation = this.faults.generation;
      this.#count = 0;
    }
    if (!pct) return false;
    const n = ++this.#count;
    return Math.floor((n * pct) / 100) > Math.floor(((n - 1) * pct) / 100);
  }
}

/** A 500 as each service answers it when it breaks. */
function internalError(c: Context): Response {
  const path = c.req.path;
  if (path.startsWith('/rest/v1/')) {
    return c.json({ code: 'XX000', details: null, hint: null, message: 'internal error' }, 500);
  }
  if (path.startsWith('/auth/v1/')) {
    c.header('X-Supabase-Api-Version', '2024-01-01');
    return c.json({ code: 'unexpected_failure', message: 'Unexpected failure, please check server logs for more information' }, 500);
  }
  if (path.startsWith('/storage/v1/')) {
    return c.json({ statusCode: '500', code: 'InternalError', error: 'internal', message: 'Internal Server Error' }, 500);
  }
  return c.text('Internal Server Error', 500);
}

/** Fault api_errors=PCT: that share of API requests (preflights excepted) answer 500 instead of being served. */
export function failingApi(faults: ActiveFaults): MiddlewareHandler {
  const budget = new ErrorBudget(faults);
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' || !isApiPath(c.req.path)) return next();
    if (budget.next()) return internalError(c);
    return next();
  };
}

/** Fault auth_down: the gateway cannot reach the auth server (mounted after the apikey check, as Kong does it). */
export function unreachableAuth(faults: ActiveFaults): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' || !faults.isOn('auth_down')) return next();
    return c.json({ message: AUTH_UNREACHABLE.message }, AUTH_UNREACHABLE.status);
  };
}
