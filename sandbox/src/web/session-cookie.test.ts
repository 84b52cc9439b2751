import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { decodeSession, encodeSession, readSessionCookie, SESSION_COOKIE, writeSessionCookie, type StoredSession } from './session-cookie.ts';

const session = (metadataSize: number): StoredSession => ({
  access_token: 'a.b.c',
  refresh_token: 'r',
  expires_in: 3600,
  expires_at: 1,
  token_type: 'bearer',
  user: { id: 'u', user_metadata: { note: 'x'.repeat(metadataSize) } } as unknown as StoredSession['user'],
});

describe('the @supabase/ssr session cookie', () => {
  it('is "base64-" + base64url(JSON) and decodes back', () => {
    const value = encodeSession(session(10));
    expect(value).toMatch(/^base64-[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(value.slice(7), 'base64url').toString())).toMatchObject({ access_token: 'a.b.c' });
    expect(decodeSession(value)).toEqual(session(10));
    expect(decodeSession('not-base64')).toBeUndefined();
  });

  it.each([[10, [SESSION_COOKIE]], [5000, [`${SESSION_COOKIE}.0`, `${SESSION_COOKIE}.1`, `${SESSION_COOKIE}.2`]]])(
    'with %i bytes of metadata is written as %j and read back whole',
    async (size, names) => {
      const app = new Hono();
      app.get('/write', (c) => {
        writeSessionCookie(c, session(size));
        return c.body(null, 204);
      });
      app.get('/read', (c) => c.json(readSessionCookie(c) ?? null));
      const written = (await app.request('/write')).headers.getSetCookie();
      expect(written.map((c) => c.split('=')[0])).toEqual(names);
      const cookie = written.map((c) => c.split(';')[0]).join('; ');
      expect(await (await app.request('/read', { headers: { cookie } })).json()).toEqual(session(size));
    },
  );
});
