/**
 * `pnpm sandbox --env-out=.env.mine` in one terminal, `pnpm test:smoke --env=mine` in another: the suite
 * targets a running sandbox exactly like a remote environment, on PGlite and on PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { expectAllPassed, runScript, startScript, tempDir, waitForEnvFile } from './run-cli.ts';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

describe.each([
  ['PGlite', false],
  ['PostgreSQL', true],
])('a running sandbox on %s as --env=mine', (_name, onPostgres) => {
  it.skipIf(onPostgres && process.env.SKIP_POSTGRES_TESTS === '1')('passes the whole smoke run', async () => {
    const dir = tempDir('remote-target');
    const env: NodeJS.ProcessEnv = {};
    if (onPostgres) {
      const db = await createTestDatabase();
      databases.push(db);
      env.DATABASE_URL = db.url;
    }
    const sandbox = startScript('sandbox/cli.ts', ['--port=0', `--env-out=${path.join(dir, '.env.mine')}`], { env });
    let sandboxOutput = '';
    sandbox.stdout?.on('data', (c: Buffer) => (sandboxOutput += c.toString()));
    sandbox.stderr?.on('data', (c: Buffer) => (sandboxOutput += c.toString()));
    try {
      const vars = await waitForEnvFile(path.join(dir, '.env.mine'));
      expect(Object.keys(vars).sort()).toEqual(
        ['BASE_URL', 'SMOKE_ALLOW_WRITES', 'SMOKE_USER_EMAIL', 'SMOKE_USER_PASSWORD', 'SUPABASE_ANON_KEY', 'SUPABASE_DB_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_URL'],
      );
      // The sandbox prints its URLs but never its keys or passwords.
      for (const secret of [vars.SUPABASE_ANON_KEY, vars.SUPABASE_SERVICE_ROLE_KEY, vars.SUPABASE_DB_URL, vars.SMOKE_USER_PASSWORD]) {
        expect(sandboxOutput).not.toContain(secret);
      }
      const log = path.join(dir, 'log.md');
      const run = await runScript('scripts/test-smoke.ts', ['--env=mine', `--log=${log}`], {
        cwd: dir,
        env: { SMOKE_OUTPUT_DIR: path.join(dir, 'test-results') },
      });
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const text = readFileSync(log, 'utf8');
      expectAllPassed(text);
      for (const secret of [vars.SUPABASE_ANON_KEY, vars.SMOKE_USER_PASSWORD]) {
        expect(run.stdout + run.stderr + text).not.toContain(secret);
      }
    } finally {
      sandbox.kill('SIGTERM');
      await new Promise((r) => sandbox.once('close', r));
    }
  });
});
