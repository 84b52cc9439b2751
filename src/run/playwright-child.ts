/**
 * Running a Playwright suite as a child process for the suite's commands (`test:smoke`, `test:e2e`): the
 * child's environment (the target's variables, never the sandbox's own) and its output, redacted line by line.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { SECRET_VARS, type TargetEnv } from '../config/target-env.ts';
import type { ChromiumChoice } from '../browser.ts';
import { makeRedactor, redactingLineWriter, type Redactor } from '../redact.ts';

export interface ChildIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Variables that configure the sandbox itself; the suite must not see them (it must find faults by testing). */
const SANDBOX_ONLY_VARS = ['SANDBOX_FAULTS', 'DATABASE_URL'];

/** The child's environment: ours, minus the sandbox's, plus the target's variables, the browser and `extra`. */
export function suiteEnv(processEnv: NodeJS.ProcessEnv, target: TargetEnv, chromium: ChromiumChoice, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...processEnv };
  for (const k of SANDBOX_ONLY_VARS) delete env[k];
  Object.assign(env, target, extra, { CHROMIUM_PATH: chromium.executablePath ?? '' });
  if (!chromium.executablePath) delete env.CHROMIUM_PATH;
  return env;
}

/** Redacts the target's secret values (and anything shaped like a JWT). */
export function targetRedactor(target: TargetEnv): Redactor {
  return makeRedactor(Object.fromEntries(SECRET_VARS.map((k) => [k, target[k]])));
}

/** `playwright test --config <configFile> …passthrough`; resolves with its exit code. */
export function runPlaywright(configFile: string, passthrough: string[], env: NodeJS.ProcessEnv, io: ChildIo, redact: Redactor): Promise<number> {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const child = spawn(process.execPath, [cli, 'test', '--config', configFile, ...passthrough], {
    cwd: io.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C or a SIGTERM sent to our group reaches Playwright only as the one SIGINT
    // forwarded below. Playwright's runner stops gracefully on SIGINT only; SIGTERM would kill it before its
    // reporters write the log, and its workers and browsers would be stopped without their teardown.
    detached: true,
  });
  const out = redactingLineWriter(redact, io.out);
  const err = redactingLineWriter(redact, io.err);
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  // Ctrl-C or a scheduler's SIGTERM: let Playwright finish its teardown (fixtures clean up) and write the results
  // it has, then we stop the sandbox. A second signal is forwarded too: Playwright then stops at once.
  const forward = () => child.kill('SIGINT');
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      out.end();
      err.end();
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
    });
  });
}
