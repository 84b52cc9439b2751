/**
 * Test helpers: real supabase-js clients for a running sandbox, and throwaway PostgreSQL databases.
 * Used by the sandbox's own tests only.
 */
import { randomBytes } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { startSandbox, type RunningSandbox, type TargetEnv } from '../index.ts';

/** The session cookie of the smoke user signed in through the login form (what a browser would hold). */
export async function pageSessionCookie(sandbox: RunningSandbox): Promise<string> {
  const login = await fetch(`${sandbox.baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: sandbox.env.SMOKE_USER_EMAIL, password: sandbox.env.SMOKE_USER_PASSWORD }).toString(),
  });
  if (login.status !== 303) throw new Error(`login form answered ${login.status}, expected 303`);
  return login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** A client as an app would create it on Node 20 (which has no global WebSocket). */
export function client(env: TargetEnv, key: 'anon' | 'service_role' = 'anon'): SupabaseClient {
  return createClient(env.SUPABASE_URL, key === 'anon' ? env.SUPABASE_ANON_KEY : env.SUPABASE_SERVICE_ROLE_KEY, {
    realtime: { transport: WebSocket as never },
    // In memory only, and no refresh timer left behind by a test.
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/** An anon-key client signed in as `email`; fails the test if sign-in fails. */
export async function signedIn(env: TargetEnv, email: string, password: string): Promise<SupabaseClient> {
  const supabase = client(env);
  const { error } = await supabase.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`sign-in as ${email} failed: ${error.message}`);
  return supabase;
}

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SKIP_POSTGRES = process.env['SKIP_POSTGRES_TESTS'] === '1';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, uniquely named database on the TEST_DATABASE_URL server, dropped by `drop()`. An unreachable server is
 * an error that says what to do, not a silent skip.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `sandbox_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    const where = new URL(TEST_DATABASE_URL);
    throw new Error(
      `PostgreSQL tests need a server at ${where.host} (TEST_DATABASE_URL): ${(error as Error).message}. ` +
        'Start one, point TEST_DATABASE_URL at one, or set SKIP_POSTGRES_TESTS=1.',
    );
  }
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A sandbox on a new test database, and the cleanup that drops the database after the sandbox stopped. */
export async function startOnTestDatabase(): Promise<{ sandbox: RunningSandbox; cleanup: () => Promise<void> }> {
  const database = await createTestDatabase();
  try {
    return { sandbox: await startSandbox({ databaseUrl: database.url, faults: '' }), cleanup: database.drop };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
