import { describe, expect, it } from 'vitest';
import { makeRedactor, redactingLineWriter } from './redact.ts';

describe('makeRedactor', () => {
  const redact = makeRedactor({ SMOKE_USER_PASSWORD: 'pa55word', SUPABASE_ANON_KEY: 'anon-key-value-xyz', EMPTY: '', SHORT: 'ab' });

  it('replaces known values by name and leaves short or empty ones alone', () => {
    expect(redact('login with pa55word and anon-key-value-xyz; ab stays')).toBe(
      'login with [REDACTED:SMOKE_USER_PASSWORD] and [REDACTED:SUPABASE_ANON_KEY]; ab stays',
    );
  });

  it('replaces a secret written escaped in JSON, in JSON inside JSON, and URL- or form-encoded', () => {
    const r = makeRedactor({ SMOKE_USER_PASSWORD: 'p"a\\ss w/rd&1' });
    const json = JSON.stringify({ password: 'p"a\\ss w/rd&1' });
    expect(r(json)).toBe('{"password":"[REDACTED:SMOKE_USER_PASSWORD]"}');
    expect(r(JSON.stringify({ postData: json }))).toBe(JSON.stringify({ postData: '{"password":"[REDACTED:SMOKE_USER_PASSWORD]"}' }));
    expect(r(`password=${encodeURIComponent('p"a\\ss w/rd&1')}`)).toBe('password=[REDACTED:SMOKE_USER_PASSWORD]');
    expect(r('password=p%22a%5Css+w%2Frd%261')).toBe('password=[REDACTED:SMOKE_USER_PASSWORD]');
  });

  it('replaces anything shaped like a JWT', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl';
    expect(redact(`Bearer ${jwt}`)).toBe('Bearer [REDACTED:jwt]');
  });
});

describe('redactingLineWriter', () => {
  it('catches a secret split across chunks', () => {
    const out: string[] = [];
    const w = redactingLineWriter(makeRedactor({ P: 'supersecret' }), (s) => out.push(s));
    w.push('one super');
    w.push('secret two\nthree');
    w.end();
    expect(out.join('')).toBe('one [REDACTED:P] two\nthree');
  });
});
