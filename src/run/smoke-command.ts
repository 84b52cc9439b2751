/**
 * `pnpm test:smoke`: resolve the target (the embedded sandbox for `--env=local`, else `.env.NAME`), check the
 * promotion log and the browser before anything runs, run Playwright with the log reporter, and turn the
 * outcome into the contract's exit codes: 0 all passed, 1 a check failed, 2 usage/config/environment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { resolveChromium } from '../browser.ts';
import { parseCliArgs } from '../cli/args.ts';
import { SECRET_VARS } from '../config/target-env.ts';
import { EXIT, UsageError } from '../errors.ts';
import { makeRedactor, redactingLineWriter } from '../redact.ts';
import { makeRunId } from './run-id.ts';
import { openTarget, type OpenTarget } from './open-target.ts';
import { checkPromotionLog } from '../../reporters/promotion-log/log-file.ts';

export const DEFAULT_LOG = 'promotion/promotion-log.md';

export interface SmokeIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const USAGE = 'usage: pnpm test:smoke [--env=NAME] [--log=PATH] [-- <playwright args>]';

/** Variables that configure the sandbox itself; the suite must not see them (it must find faults by testing). */
const SANDBOX_ONLY_VARS = ['SANDBOX_FAULTS', 'DATABASE_URL'];

export interface SmokeOptions {
  /** A target the caller opened (and will close); else the command opens `--env` itself. */
  target?: OpenTarget;
}

export async function runSmoke(argv: string[], io: SmokeIo, opts: SmokeOptions = {}): Promise<number> {
  let stopSandbox: (() => Promise<void>) | undefined;
  try {
    const args = parseCliArgs(argv, { command: 'test:smoke', flags: ['env', 'log', 'help'], booleans: ['help'] });
    if (args.flags.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    const envName = args.flags.env ?? 'local';
    // Flag, then environment variable, then default.
    const logPath = path.resolve(io.cwd, args.flags.log ?? io.env.PROMOTION_LOG ?? DEFAULT_LOG);
    checkPromotionLog(logPath);
    const chromium = resolveChromium(io.env);

    const opened = opts.target ?? (await openTarget(envName, io.cwd, io.env, io.err));
    if (!opts.target) stopSandbox = () => opened.close();
    const target = opened.env;

    const runId = makeRunId();
    const statusDir = mkdtempSync(path.join(os.tmpdir(), 'smoke-status-'));
    const statusFile = path.join(statusDir, 'promotion-log-status.json');
    try {
      const secrets = Object.fromEntries(SECRET_VARS.map((k) => [k, target[k]]));
      const redact = makeRedactor(secrets);
      const childEnv: NodeJS.ProcessEnv = { ...io.env };
      for (const k of SANDBOX_ONLY_VARS) delete childEnv[k];
      Object.assign(childEnv, target, {
        SMOKE_RUN_ID: runId,
        SMOKE_ENV: envName,
        PROMOTION_LOG: logPath,
        PROMOTION_LOG_STATUS: statusFile,
        CHROMIUM_PATH: chromium.executablePath ?? '',
      });
      if (!chromium.executablePath) delete childEnv.CHROMIUM_PATH;
      io.err(`run ${runId} against ${envName} (${target.BASE_URL}); promotion log: ${path.relative(io.cwd, logPath) || logPath}\n`);
      const code = await runPlaywright(args.passthrough, childEnv, io, redact);
      const status = readStatus(statusFile);
      if (!status) {
        io.err(`test:smoke: Playwright ended (exit ${code}) without writing the promotion log\n`);
        return EXIT.usage;
      }
      if (!status.ok) {
        io.err(`test:smoke: promotion log not written: ${status.error}\n`);
        return EXIT.usage;
      }
      // Playwright exits 0 when a retry passed; a release gate must not read that as all green.
      if (code === 0 && status.flaky?.length) {
        io.err(`test:smoke: flaky (passed only on retry): ${status.flaky.join(', ')}\n`);
        return EXIT.checkFailed;
      }
      return code === 0 ? EXIT.ok : EXIT.checkFailed;
    } finally {
      rmSync(statusDir, { recursive: true, force: true });
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`test:smoke: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof Error && e.name === 'LogFileError') {
      io.err(`test:smoke: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    await stopSandbox?.();
  }
}

function runPlaywright(passthrough: string[], env: NodeJS.ProcessEnv, io: SmokeIo, redact: (s: string) => string): Promise<number> {
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const config = path.resolve(import.meta.dirname, '../../playwright.config.ts');
  const child = spawn(process.execPath, [cli, 'test', '--config', config, ...passthrough], {
    cwd: io.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = redactingLineWriter(redact, io.out);
  const err = redactingLineWriter(redact, io.err);
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  // Ctrl-C or a scheduler's SIGTERM: let Playwright finish its teardown (fixtures clean up), then we stop the sandbox.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
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

interface LogStatus {
  ok: boolean;
  error?: string;
  failed?: string[];
  flaky?: string[];
}

function readStatus(file: string): LogStatus | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LogStatus;
  } catch {
    return undefined;
  }
}
