/**
 * The Smoke Test Summary's API checks, each against the fault that must fail it (switched on in a running sandbox):
 * every table check fails with "0 rows visible" when row-level security hides its table, while Database Connection,
 * API Health and Authentication still pass; a missing table fails Database Connection; a failing health endpoint
 * fails API Health alone. (Authentication under bad_password: tests/proofs/smoke-run.test.ts.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/src/index.ts';
import { appProfile } from '../../src/config/app-profile.ts';
import { runScript, tempDir } from './run-cli.ts';

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = tempDir('summary-proof');
  const env = Object.entries(sandbox.env).map(([k, v]) => `${k}=${v}`);
  writeFileSync(path.join(dir, '.env.summary'), env.join('\n'), { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
});

async function summaryChecks(label: string, fault: string) {
  await sandbox.faults.replace(fault);
  try {
    const out = path.join(dir, `results-${label}`);
    const run = await runScript('scripts/test-smoke.ts', ['--env=summary', `--log=${path.join(dir, `${label}.md`)}`, '--', '--grep', 'Smoke Test Summary'], {
      cwd: dir,
      env: { SMOKE_OUTPUT_DIR: out, SMOKE_RETRIES: '0' },
    });
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { checks: { name: string; status: string; error: string | null }[] };
    return { ...run, checks: new Map(summary.checks.map((c) => [c.name, c])) };
  } finally {
    await sandbox.faults.replace('');
  }
}

describe('the Smoke Test Summary checks against their faults', () => {
  it('every table check fails with "0 rows visible" when its table is hidden; the others pass', async () => {
    const hide = appProfile.tableChecks.map((t) => `rls_hide=${t.table}`).join(',');
    const run = await summaryChecks('hidden', hide);
    expect(run.code).toBe(1);
    for (const t of appProfile.tableChecks) {
      expect(run.checks.get(t.row), t.row).toMatchObject({ status: 'failed', error: expect.stringMatching(/0 rows visible$/) });
    }
    for (const name of ['Database Connection', 'API Health', 'Authentication']) expect(run.checks.get(name)?.status, name).toBe('passed');
  }, 240_000);

  it('table_missing=profiles fails Database Connection with the reason', async () => {
    const run = await summaryChecks('no-profiles', 'table_missing=profiles');
    expect(run.code).toBe(1);
    expect(run.checks.get('Database Connection')).toMatchObject({ status: 'failed', error: expect.stringMatching(/database query failed/) });
    expect(run.checks.get('API Health')?.status).toBe('passed');
  }, 240_000);

  it('health_down fails API Health alone, with the status it answered', async () => {
    const run = await summaryChecks('health-down', 'health_down');
    expect(run.code).toBe(1);
    expect(run.checks.get('API Health')).toMatchObject({ status: 'failed', error: expect.stringMatching(/\/api\/health answered HTTP 503/) });
    const others = [...run.checks.values()].filter((c) => c.name !== 'API Health');
    expect(others.filter((c) => c.status !== 'passed')).toEqual([]);
  }, 240_000);
});
