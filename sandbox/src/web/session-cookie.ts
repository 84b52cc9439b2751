import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Session } from '../auth/auth-service.ts';

/** @supabase/ssr's cookie: `sb-<project ref>-auth-token`, the session JSON as "base64-" + base64url. */
export const SESSION_COOKIE = 'sb-sandbox-auth-token';
const PREFIX = 'base64-';
/** @supabase/ssr splits longer values into `<name>.0`, `<name>.1`, … */
const CHUNK_SIZE = 3180;
const MAX_AGE_S = 400 * 24 * 3600;

export type StoredSession = Pick<Session, 'access_token' | 'refresh_token' | 'expires_in' | 'expires_at' | 'token_type' | 'user'>;

export function encodeSession(session: StoredSession): string {
  const { access_token, refresh_token, expires_in, expires_at, token_type, user } = session;
  const json = JSON.stringify({ access_token, refresh_token, expires_in, expires_at, token_type, user });
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeSession(value: string): StoredSession | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  try {
    const session = JSON.parse(Buffer.from(value.slice(PREFIX.length), 'base64url').toString('utf8')) as StoredSession;
    return typeof session.access_token === 'string' && typeof session.refresh_token === 'string' ? session : undefined;
  } catch {
    return undefined;
  }
}

function chunkNames(c: Context): string[] {
  return Object.keys(getCookie(c)).filter((name) => name === SESSION_COOKIE || name.startsWith(`${SESSION_COOKIE}.`));
}

export function readSessionCookie(c: Context): StoredSession | undefined {
  const cookies = getCookie(c);
  let value = cookies[SESSION_COOKIE];
  if (value === undefined) {
    const chunks: string[] = [];
    for (let i = 0; cookies[`${SESSION_COOKIE}.${i}`] !== undefined; i++) chunks.push(cookies[`${SESSION_COOKIE}.${i}`]!);
    value = chunks.length ? chunks.join('') : undefined;
  }
  return value === undefined ? undefined : decodeSession(value);
}

export function clearSessionCookie(c: Context, keep: readonly string[] = []): void {
  for (const name of chunkNames(c)) if (!keep.includes(name)) deleteCookie(c, name, { path: '/' });
}

export function writeSessionCookie(c: Context, session: StoredSession): void {
  const value = encodeSession(session);
  const chunks =
    value.length <= CHUNK_SIZE
      ? [[SESSION_COOKIE, value] as const]
      : Array.from({ length: Math.ceil(value.length / CHUNK_SIZE) }, (_, i) =>
          [`${SESSION_COOKIE}.${i}`, value.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE)] as const);
  clearSessionCookie(c, chunks.map(([name]) => name));
  // Readable by the browser's supabase client (not HttpOnly), as @supabase/ssr sets it.
  for (const [name, chunk] of chunks) setCookie(c, name, chunk, { path: '/', sameSite: 'Lax', maxAge: MAX_AGE_S });
}
