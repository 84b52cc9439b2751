import { describe, expect, it } from 'vitest';
import { appProfile } from '../../src/config/app-profile.ts';
import { sessionFromCookies } from './session-cookie.ts';

const session = JSON.stringify({ access_token: 'token-123', refresh_token: 'r' });

describe('sessionFromCookies', () => {
  it('reads a base64- cookie', () => {
    const value = `base64-${Buffer.from(session).toString('base64url')}`;
    expect(sessionFromCookies([{ name: 'sb-abc-auth-token', value }], appProfile.sessionCookie)).toEqual({ access_token: 'token-123' });
  });

  it('joins chunks in order', () => {
    const value = `base64-${Buffer.from(session).toString('base64url')}`;
    const cookies = [
      { name: 'sb-abc-auth-token.1', value: value.slice(20) },
      { name: 'sb-abc-auth-token.0', value: value.slice(0, 20) },
    ];
    expect(sessionFromCookies(cookies, appProfile.sessionCookie)?.access_token).toBe('token-123');
  });

  it('reads a plain JSON cookie and ignores other cookies', () => {
    const cookies = [
      { name: 'other', value: 'x' },
      { name: 'sb-abc-auth-token', value: encodeURIComponent(session) },
    ];
    expect(sessionFromCookies(cookies, appProfile.sessionCookie)?.access_token).toBe('token-123');
  });

  it('returns undefined without a session cookie or with garbage', () => {
    expect(sessionFromCookies([{ name: 'other', value: 'x' }], appProfile.sessionCookie)).toBeUndefined();
    expect(sessionFromCookies([{ name: 'sb-abc-auth-token', value: 'garbage' }], appProfile.sessionCookie)).toBeUndefined();
  });
});
