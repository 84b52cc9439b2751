import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { loadEnvFile, parseTargetEnv, secretValues, writeRefusal } from './target-env.ts';

const good = {
  BASE_URL: 'https://fleet.example.com',
  SUPABASE_URL: 'https://abc.supabase.co',
  SUPABASE_ANON_KEY: 'anon-key-that-is-long-enough',
  SMOKE_USER_EMAIL: 'smoke@example.com',
  SMOKE_USER_PASSWORD: 'pw-secret-value',
};

describe('parseTargetEnv', () => {
  it('accepts a complete environment and ignores unrelated variables', () => {
    const env = parseTargetEnv({ ...good, PATH: '/bin' }, 'x');
    expect(env.BASE_URL).toBe(good.BASE_URL);
    expect(env).not.toHaveProperty('PATH');
  });

  it('names every missing variable in one line', () => {
    expect(() => parseTargetEnv({ BASE_URL: good.BASE_URL, SUPABASE_ANON_KEY: '  ' }, '--env=prod')).toThrow(
      new UsageError('--env=prod: missing required variables: SUPABASE_URL, SUPABASE_ANON_KEY, SMOKE_USER_EMAIL, SMOKE_USER_PASSWORD'),
    );
  });

  it('names malformed variables without echoing their values', () => {
    let message = '';
    try {
      parseTargetEnv({ ...good, BASE_URL: 'fleet.example.com', SUPABASE_DB_URL: 'mysql://u:hunter2@h/db' }, '--env=prod');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('BASE_URL must be an http(s) URL');
    expect(message).toContain('SUPABASE_DB_URL must be a postgres:// URL');
    expect(message).not.toContain('hunter2');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('lists secret values for redaction', () => {
    expect(secretValues(parseTargetEnv(good, 'x'))).toEqual([good.SUPABASE_ANON_KEY, good.SMOKE_USER_PASSWORD]);
  });
});

describe('loadEnvFile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'envfile-'));
  writeFileSync(path.join(dir, '.env.staging'), 'BASE_URL=https://staging.example.com\n# comment\nSMOKE_USER_EMAIL=s@example.com\n');

  it('lays the file over the process environment', () => {
    const env = loadEnvFile('staging', dir, { BASE_URL: 'https://from-process', OTHER: '1' });
    expect(env.BASE_URL).toBe('https://staging.example.com');
    expect(env.OTHER).toBe('1');
  });

  it('rejects an unknown environment and a malformed name', () => {
    expect(() => loadEnvFile('nope', dir, {})).toThrow(/--env=nope: no such environment/);
    expect(() => loadEnvFile('../etc', dir, {})).toThrow(/letters, digits/);
  });
});

describe('writeRefusal', () => {
  const base = { BASE_URL: 'http://x', SUPABASE_URL: 'http://x', SUPABASE_ANON_KEY: 'k'.repeat(20), SMOKE_USER_EMAIL: 'a@b', SMOKE_USER_PASSWORD: 'p' };
  const tenant = 'c0000000-0000-4000-8000-000000000003';
  it('writes only with SMOKE_ALLOW_WRITES, only into SMOKE_TENANT_ID when set, and in production only when it is set', () => {
    expect(writeRefusal(base, 'staging', tenant)).toBe('read-only mode (SMOKE_ALLOW_WRITES is not 1)');
    expect(writeRefusal({ ...base, SMOKE_ALLOW_WRITES: '1' }, 'staging', tenant)).toBeUndefined();
    expect(writeRefusal({ ...base, SMOKE_ALLOW_WRITES: '1' }, 'prod', tenant)).toMatch(/SMOKE_TENANT_ID, the synthetic tenant, is not set for a production environment/);
    expect(writeRefusal({ ...base, SMOKE_ALLOW_WRITES: '1', SMOKE_TENANT_ID: tenant }, 'prod', tenant)).toBeUndefined();
    expect(writeRefusal({ ...base, SMOKE_ALLOW_WRITES: '1', SMOKE_TENANT_ID: tenant }, 'staging', 'c0000000-0000-4000-8000-000000000001')).toMatch(
      /refused to write: the smoke user's tenant is not SMOKE_TENANT_ID/,
    );
  });
});
