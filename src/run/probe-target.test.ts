import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { judgeApiKeyAnswer, judgeAppAnswer, judgeSignInAnswer, keyProblem } from './probe-target.ts';

const base = 'https://fleet.example.com';
const here = new URL(`${base}/`);
const same = (s: string) => s;

describe('judgeAppAnswer', () => {
  it('lets any answer of the app through, even a 500: the checks judge the release', () => {
    for (const status of [200, 404, 500, 503]) expect(judgeAppAnswer(base, here, status, undefined)).toEqual({ kind: 'ok' });
  });

  it('follows a redirect on the same host (to the login page, to https)', () => {
    expect(judgeAppAnswer(base, here, 307, '/login')).toEqual({ kind: 'follow', next: new URL(`${base}/login`) });
    expect(judgeAppAnswer(base, new URL('http://fleet.example.com/'), 301, `${base}/`)).toMatchObject({ kind: 'follow' });
  });

  it('calls a 401/403 or a redirect to another host "environment blocked"', () => {
    expect(judgeAppAnswer(base, here, 401, undefined)).toEqual({
      kind: 'blocked',
      message: `environment blocked: BASE_URL ${base} answers 401 (deployment protection or a login wall in front of the app); nothing was run`,
    });
    const sso = judgeAppAnswer(base, here, 307, 'https://vercel.com/sso-api?url=https%3A%2F%2Ffleet.example.com');
    expect(sso).toMatchObject({ kind: 'blocked' });
    expect((sso as { message: string }).message).toContain('redirects to https://vercel.com (a login host');
    // Another port of the same machine is another server.
    const local = new URL('http://127.0.0.1:3000/');
    expect(judgeAppAnswer(local.origin, local, 302, 'http://127.0.0.1:4000/login')).toMatchObject({ kind: 'blocked' });
  });
});

describe('judgeApiKeyAnswer', () => {
  it('passes every answer but 401 and redirects', () => {
    for (const status of [200, 404, 500, 503]) expect(judgeApiKeyAnswer(status, undefined, undefined)).toBeUndefined();
  });
  it('names the key and the server words on a 401, the other host on a redirect', () => {
    expect(judgeApiKeyAnswer(401, undefined, 'Invalid API key')).toBe(
      'SUPABASE_ANON_KEY: the API refuses it (401 "Invalid API key"): another project\'s key, or revoked',
    );
    expect(judgeApiKeyAnswer(302, 'https://login.example.net/?next=x', undefined)).toContain('redirects to https://login.example.net');
  });
});

describe('judgeSignInAnswer', () => {
  it('calls refused credentials a configuration error', () => {
    expect(judgeSignInAnswer(400, { code: 'invalid_credentials', msg: 'Invalid login credentials' }, same)).toContain(
      'SMOKE_USER_EMAIL / SMOKE_USER_PASSWORD: the auth server refuses them (400 invalid_credentials)',
    );
    expect(judgeSignInAnswer(400, { error: 'invalid_grant', error_description: 'Invalid login credentials' }, same)).toContain('invalid_grant');
  });
  it('leaves an auth server that is down or failing to the checks', () => {
    expect(judgeSignInAnswer(200, { access_token: 'x' }, same)).toBeUndefined();
    expect(judgeSignInAnswer(503, { message: 'upstream unavailable' }, same)).toBeUndefined();
    expect(judgeSignInAnswer(500, { code: 'unexpected_failure' }, same)).toBeUndefined();
    expect(judgeSignInAnswer(429, { code: 'over_request_rate_limit' }, same)).toBeUndefined();
  });
});

describe('keyProblem', () => {
  const secret = new TextEncoder().encode('a-secret-of-another-project-0123456789');
  const mint = (claims: Record<string, unknown>, exp: number) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(secret);
  const now = new Date('2026-06-01T00:00:00Z');
  const inSeconds = (s: number) => Math.floor(now.getTime() / 1000) + s;

  it('finds an expired key and a key of the wrong role without asking the server', async () => {
    expect(keyProblem(await mint({ role: 'anon' }, inSeconds(-60)), 'anon', now)).toBe('expired on 2026-05-31T23:59:00.000Z');
    expect(keyProblem(await mint({ role: 'service_role' }, inSeconds(3600)), 'anon', now)).toBe('is a "service_role" key, not an anon key');
    expect(keyProblem(await mint({ role: 'anon' }, inSeconds(3600)), 'anon', now)).toBeUndefined();
  });

  it('leaves keys that are not JWTs to the server', () => {
    expect(keyProblem('sb_publishable_abcdefghijklmnopqrstuvwxyz', 'anon', now)).toBeUndefined();
    expect(keyProblem(undefined, 'service_role', now)).toBeUndefined();
  });
});
