/**
 * The e2e set end to end: `pnpm test:e2e` against a running sandbox passes all eight tests and leaves the synthetic
 * tenant exactly as it found it; sandbox faults switched on between runs fail exactly the tests they break, with
 * the reason, while the others pass, and the data is cleaned up all the same. Bad input stops it with exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eSummary } from '../../reporters/e2e/e2e-results.ts';
import { startSandbox } from '../../sandbox/src/index.ts';
import { makeClient } from '../../src/supabase.ts';
import { runScript, tempDir } from './run-cli.ts';

const TESTS = [
  'Damage Inspection Alert Test',
  'Document Expiry Alert Test',
  'Geofence Exit Alert Test',
  'Handshake Reject Test',
  'Illegal Transition Test',
  'Live Updates Test',
  'Role Permissions Test',
  'Wrong Password Test',
];
const SYNTHETIC_TENANT = 'c0000000-0000-4000-8000-000000000003';
const TABLES = ['handshakes', 'inspections', 'alerts', 'vehicle_documents', 'vehicle_locations', 'notifications', 'profiles'];

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = tempDir('e2e-proof');
  const env = Object.entries(sandbox.env).map(([k, v]) => `${k}=${v}`);
  writeFileSync(path.join(dir, '.env.e2e'), env.join('\n'), { mode: 0o600 });
  writeFileSync(path.join(dir, '.env.partial'), env.filter((line) => !/^(SUPABASE_ANON_KEY|SMOKE_USER_EMAIL)=/.test(line)).join('\n'), { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
});

async function e2e(name: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  const results = path.join(dir, `results-${name}`);
  const run = await runScript('scripts/test-e2e.ts', ['--env=e2e', ...args], { cwd: dir, env: { E2E_OUTPUT_DIR: results, ...env } });
  const summary = JSON.parse(readFileSync(path.join(results, 'e2e-summary.json'), 'utf8')) as E2eSummary;
  return { ...run, summary, byName: new Map(summary.tests.map((t) => [t.name, t])) };
}

/** The synthetic tenant's rows per table, its vehicles' statuses and the number of users, read with the service role. */
async function tenantState() {
  const db = makeClient(sandbox.env.SUPABASE_URL, sandbox.env.SUPABASE_SERVICE_ROLE_KEY!);
  const counts: Record<string, number | null> = {};
  for (const table of TABLES) {
    const { count, error } = await db.from(table).select('id', { count: 'exact', head: true }).eq('corporate_id', SYNTHETIC_TENANT);
    expect(error).toBeNull();
    counts[table] = count;
  }
  const vehicles = await db.from('vehicles').select('plate, status').eq('corporate_id', SYNTHETIC_TENANT).order('plate');
  const users = await db.auth.admin.listUsers({ perPage: 1000 });
  return { counts, statuses: (vehicles.data ?? []).map((v) => `${v.plate}=${v.status}`), users: users.data.users.length };
}

describe('pnpm test:e2e against a running sandbox', () => {
  it('a clean run passes all eight tests, one console line each, and leaves the synthetic tenant as it was', async () => {
    const before = await tenantState();
    const run = await e2e('clean');
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.summary.status).toBe('passed');
    expect([...run.byName.keys()].sort()).toEqual(TESTS);
    for (const name of TESTS) {
      expect(run.byName.get(name)?.status, `${name}: ${run.byName.get(name)?.notes}`).toBe('passed');
      expect(run.stdout).toMatch(new RegExp(`^ {2}✅ PASSED {3}${name} +\\d+\\.\\d s — \\S`, 'm'));
    }
    expect(run.stdout).toMatch(/^E2E: 8 passed, 0 failed, 0 flaky, 0 skipped of 8$/m);
    expect(run.byName.get('Live Updates Test')?.notes).toMatch(/browser B saw SYN-\d+ IN_TRANSIT .* browser A saw SYN-\d+ IN_SERVICE/);
    expect(await tenantState()).toEqual(before);
  }, 240_000);

  it.each([
    [
      'geofence_off,realtime_off,roles_ignored,email_off',
      {
        'Geofence Exit Alert Test': /^no GEOFENCE_EXIT alert for SYN-\d+ within 10 s of a position \d+ m outside /,
        'Live Updates Test': /^browser B's vehicles list still shows SYN-\d+ \w+ 10 s after browser A accepted its handshake \(stored: IN_TRANSIT\) \(no live update\)$/,
        'Role Permissions Test': /driver is offered "Create Handshake", which only admin, manager may use/,
        'Damage Inspection Alert Test': /^email "Damage reported on SYN-\d+" not sent: its notification is FAILED$/,
      },
    ],
    [
      'handshake_rules_off,audit_off,document_expiry_off',
      {
        'Illegal Transition Test': /^Accept of a REJECTED handshake was not refused: it is now ACCEPTED$/,
        'Handshake Reject Test': /^no audit row records the reject \(handshakes UPDATE to REJECTED by the smoke user; 0 rows for it\)$/,
        'Document Expiry Alert Test': /^no DOCUMENT_EXPIRY alert for SYN-\d+ within 10 s of a document expiring in 10 days$/,
      },
    ],
  ] as const)('%s fails exactly its tests with the reason, the others pass, and nothing is left behind', async (faults, failing) => {
    const before = await tenantState();
    await sandbox.faults.replace(faults);
    try {
      const run = await e2e(faults.replace(/\W/g, '_'), { SMOKE_RETRIES: '0' });
      expect(run.code, run.stderr).toBe(1);
      for (const name of TESTS) {
        const result = run.byName.get(name)!;
        const reason = (failing as Record<string, RegExp>)[name];
        if (reason) {
          expect(result.status, name).toBe('failed');
          expect(result.notes, name).toMatch(reason);
          expect(run.stdout).toMatch(new RegExp(`^ {2}❌ FAILED {3}${name} `, 'm'));
        } else {
          expect(result.status, `${name}: ${result.notes}`).toBe('passed');
        }
      }
      await sandbox.faults.replace('');
      expect(await tenantState()).toEqual(before);
    } finally {
      await sandbox.faults.replace('');
    }
  }, 240_000);

  it('auth_down fails the Wrong Password Test with the message the login page showed instead', async () => {
    await sandbox.faults.replace('auth_down');
    try {
      const run = await e2e('auth_down', { SMOKE_RETRIES: '0' }, ['--', '--grep', 'Wrong Password']);
      expect(run.code).toBe(1);
      expect(run.byName.get('Wrong Password Test')).toMatchObject({
        status: 'failed',
        notes: 'login page says "failure to get a peer from the ring-balancer", expected "Invalid login credentials"',
      });
    } finally {
      await sandbox.faults.replace('');
    }
  }, 120_000);

  it('a target missing variables stops it before anything runs: exit 2, one line naming them', async () => {
    const run = await runScript('scripts/test-e2e.ts', ['--env=partial'], { cwd: dir, env: { E2E_OUTPUT_DIR: path.join(dir, 'results-partial') } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(['test:e2e: --env=partial: missing required variables: SUPABASE_ANON_KEY, SMOKE_USER_EMAIL']);
    expect(run.stdout).toBe('');
  }, 60_000);
});
