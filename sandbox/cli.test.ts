import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
  child: ReturnType<typeof spawn>;
}

function runCli(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, SANDBOX_FAULTS: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { stdout: '', stderr: '', child, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (chunk: Buffer) => (run.stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk));
  return run;
}

async function waitFor(run: Run, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.stdout)) {
    if (Date.now() > deadline || run.child.exitCode !== null) {
      throw new Error(`CLI did not print ${pattern}; stdout: ${run.stdout} stderr: ${run.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pnpm sandbox (cli.ts)', () => {
  it.each([
    [['--bogus'], {}, /^sandbox: unknown option --bogus/],
    [['--port=abc'], {}, /^sandbox: --port must be a number from 0 to 65535, not "abc"/],
    [['--port=70000'], {}, /^sandbox: --port must be a number/],
    [['--token-ttl=0'], {}, /^sandbox: --token-ttl must be a number of seconds from 1 to 604800, not "0"/],
    [['stray'], {}, /^sandbox: unexpected argument/],
    [[], { SANDBOX_FAULTS: 'nope' }, /^sandbox: SANDBOX_FAULTS: unknown fault "nope"/],
    [[], { DATABASE_URL: 'mysql://db' }, /^sandbox: DATABASE_URL must start with postgres:\/\//],
  ])('%j %j: one line on stderr, exit 2', async (args, env, message) => {
    const run = runCli(args, env);
    expect(await run.exit).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  describe('running', () => {
    let dir: string;
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('serves, writes --env-out (0600, exactly the target variables), prints no secret, stops on SIGTERM with 0', async () => {
      dir = await mkdtemp(join(tmpdir(), 'sandbox-cli-'));
      const envFile = join(dir, '.env.sandbox');
      const run = runCli(['--port=0', `--env-out=${envFile}`, '--token-ttl=900']);
      await waitFor(run, /Press Ctrl\+C to stop/);

      const text = await readFile(envFile, 'utf8');
      const env = Object.fromEntries(text.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
      expect(Object.keys(env)).toEqual([
        'BASE_URL', 'SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_URL',
        'SMOKE_USER_EMAIL', 'SMOKE_USER_PASSWORD', 'SMOKE_ALLOW_WRITES',
      ]);
      expect((await stat(envFile)).mode & 0o777).toBe(0o600);

      expect(run.stdout).toContain(`${env['BASE_URL']}/api/health`);
      expect(run.stdout).toContain('smoke@synthetic.marsana.test');
      expect(run.stdout).toContain('admin@northwind.test');
      for (const secret of [env['SUPABASE_ANON_KEY'], env['SUPABASE_SERVICE_ROLE_KEY'], env['SUPABASE_DB_URL'], env['SMOKE_USER_PASSWORD'], 'marsana-sandbox-password']) {
        expect(run.stdout + run.stderr).not.toContain(secret);
      }

      const health = await fetch(`${env['BASE_URL']}/api/health`);
      expect(health.status).toBe(200);
      const token = await fetch(`${env['SUPABASE_URL']}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: env['SUPABASE_ANON_KEY']!, 'content-type': 'application/json' },
        body: JSON.stringify({ email: env['SMOKE_USER_EMAIL'], password: env['SMOKE_USER_PASSWORD'] }),
      });
      expect((await token.json()).expires_in).toBe(900);
      expect(run.stdout).toContain(`${env['BASE_URL']}/__sandbox/faults`);

      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
      expect(run.stdout).toContain('Sandbox stopped.');
    });
  });
});
