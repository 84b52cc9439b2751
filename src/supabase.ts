/**
 * supabase-js clients for the suite. Node 20 has no global WebSocket, and supabase-js 2.119 looks one up
 * when the client is built, so `ws` is passed in (one that notes when each message arrives: the realtime probe's
 * clock stops there). Sessions stay in memory, never refreshed behind our back,
 * and reads are not retried: a smoke check must see the first answer, not the third.
 */
import './node20-notice.ts';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { ArrivalStampedWebSocket } from './measure/arrival-stamped-websocket.ts';

export function makeClient(url: string, key: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ArrivalStampedWebSocket as unknown as typeof globalThis.WebSocket },
    db: { retry: false },
  });
}

/** One line describing a PostgREST or auth error, for a check's Notes column. */
export function describeError(error: unknown, status?: number): string {
  if (!error) return 'unknown error';
  const e = error as { code?: unknown; message?: unknown; status?: unknown };
  const parts = [status ?? e.status, e.code, e.message].filter((p) => p !== undefined && p !== null && p !== '');
  return parts.length > 0 ? parts.join(' ') : String(error);
}
