/**
 * No artifact of a run holds a secret value. A run with the auth_down fault fails its sign-ins, so it leaves
 * the most behind: traces of the failed browser tests (which record the typed password and the apikey
 * headers), error contexts, JUnit failures, Allure results with the traces attached, the Allure HTML report,
 * summary.json, the promotion log and its screenshots, and the console output. Every file is read, zips
 * entry by entry, and searched for every secret variable's value. (Not bad_password: against a target the suite
 * did not start, refused credentials stop the run before any check, as a configuration error.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../sandbox/src/index.ts';
import { readArtifacts, secretForms } from './artifacts.ts';
import { runScript, tempDir } from './run-cli.ts';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, faults: 'auth_down' });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe('secrets in the artifacts of a run', () => {
  it('are in none of them: log, screenshots, summary.json, JUnit, Allure results and report, traces, console', async () => {
    const dir = tempDir('secrets-proof');
    const secrets = {
      SUPABASE_ANON_KEY: sandbox.env.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: sandbox.env.SUPABASE_SERVICE_ROLE_KEY,
      SUPABASE_DB_URL: sandbox.env.SUPABASE_DB_URL,
      SMOKE_USER_PASSWORD: sandbox.env.SMOKE_USER_PASSWORD,
      // Not used by the smoke checks, but a secret of the target all the same.
      SENTRY_AUTH_TOKEN: 'sntrys_proof_token_0f3c9a7e5b1d',
    };
    fs.writeFileSync(
      path.join(dir, '.env.proof'),
      Object.entries({ ...sandbox.env, ...secrets })
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const smoke = await runScript('scripts/test-smoke.ts', ['--env=proof', `--log=${path.join(dir, 'promotion/log.md')}`], {
      cwd: dir,
      env: { SMOKE_OUTPUT_DIR: path.join(dir, 'test-results') },
    });
    expect(smoke.code, smoke.stderr).toBe(1);
    // A second run: the log's backup and a rerun's output are artifacts too.
    const again = await runScript('scripts/test-smoke.ts', ['--env=proof', `--log=${path.join(dir, 'promotion/log.md')}`], {
      cwd: dir,
      env: { SMOKE_OUTPUT_DIR: path.join(dir, 'test-results') },
    });
    expect(again.code, again.stderr).toBe(1);
    const report = await runScript(
      'scripts/report.ts',
      [`--results=${path.join(dir, 'test-results/allure-results')}`, `--out=${path.join(dir, 'allure-report')}`, `--history=${path.join(dir, '.allure/history.jsonl')}`],
      { cwd: dir },
    );
    expect(report.code, report.stderr).toBe(0);
    fs.writeFileSync(path.join(dir, 'console.txt'), [smoke, again, report].map((r) => r.stdout + r.stderr).join('\n'));

    const artifacts = readArtifacts(dir).filter((a) => a.where !== '.env.proof');
    const where = (pattern: RegExp) => artifacts.filter((a) => pattern.test(a.where)).map((a) => a.where);
    // What the run must have left, so that the search below has something to search.
    expect(where(/^promotion\/log\.md$/)).toHaveLength(1);
    expect(where(/^promotion\/log\.md\.bak$/)).toHaveLength(1);
    expect(where(/^promotion\/screenshots\/.*\.png$/).length).toBeGreaterThan(0);
    expect(where(/^test-results\/summary\.json$/)).toHaveLength(1);
    expect(where(/^test-results\/junit\.xml$/)).toHaveLength(1);
    expect(where(/^test-results\/results\.json$/)).toHaveLength(1);
    expect(where(/^test-results\/.*trace\.zip!.*trace\.trace$/).length).toBeGreaterThan(0);
    expect(where(/^test-results\/.*trace\.zip!.*trace\.network$/).length).toBeGreaterThan(0);
    expect(where(/^test-results\/allure-results\/.*-result\.json$/).length).toBeGreaterThan(0);
    expect(where(/^test-results\/allure-results\/.*-attachment\.zip!.*\.trace$/).length).toBeGreaterThan(0);
    expect(where(/^allure-report\/index\.html$/)).toHaveLength(1);

    const leaks = Object.entries(secrets).flatMap(([name, value]) =>
      secretForms(value).flatMap((form) => artifacts.filter((a) => a.text.includes(form)).map((a) => `${name} in ${a.where}`)),
    );
    expect(leaks).toEqual([]);
    // The password was typed in the failed login and is in its trace, redacted: the search above had a target.
    const traced = artifacts.filter((a) => /trace\.zip!.*\.trace$/.test(a.where) && a.text.includes('[REDACTED:SMOKE_USER_PASSWORD]'));
    expect(traced.length).toBeGreaterThan(0);
  });
});
