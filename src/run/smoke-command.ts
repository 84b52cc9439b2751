/**
 * `pnpm test:smoke`: resolve the target (the embedded sandbox for `--env=local`, else `.env.NAME`), check the
 * promotion log and the browser before anything runs, run Playwright with the log reporter, and turn the
 * outcome into the contract's exit codes: 0 all passed, 1 a check failed, 2 usage/config/environment.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveChromium } from '../browser.ts';
import { parseCliArgs } from '../cli/args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { watchInterrupts } from './interrupts.ts';
import { makeRunId } from './run-id.ts';
import { registerRun } from './run-registry.ts';
import { leftBehind, sweepEarlierRuns, sweepInterruptedRun } from './synthetic-hygiene.ts';
import { openTarget, type OpenTarget } from './open-target.ts';
import { runPlaywright, suiteEnv, targetRedactor, type ChildIo } from './playwright-child.ts';
import { checkPromotionLog } from '../../reporters/promotion-log/log-file.ts';
import { loadSchemaManifest } from '../db-checks/schema-manifest.ts';

export const DEFAULT_LOG = 'promotion/promotion-log.md';

export type SmokeIo = ChildIo;

const USAGE = 'usage: pnpm test:smoke [--env=NAME] [--log=PATH] [-- <playwright args>]';

const CONFIG = path.resolve(import.meta.dirname, '../../playwright.config.ts');

export interface SmokeOptions {
  /** A target the caller opened (and will close); else the command opens `--env` itself. */
  target?: OpenTarget;
}

export async function runSmoke(argv: string[], io: SmokeIo, opts: SmokeOptions = {}): Promise<number> {
  let stopSandbox: (() => Promise<void>) | undefined;
  const interrupts = watchInterrupts();
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
    // A broken manifest is the configuration's fault: exit 2 before anything runs, not six failed checks.
    const manifest = io.env.SMOKE_SCHEMA_MANIFEST ? path.resolve(io.cwd, io.env.SMOKE_SCHEMA_MANIFEST) : undefined;
    loadSchemaManifest(manifest);

    const opened = opts.target ?? (await openTarget(envName, io.cwd, io.env, io.err));
    if (!opts.target) stopSandbox = () => opened.close();
    const target = opened.env;
    if (interrupts.signal) {
      io.err(`test:smoke: interrupted by ${interrupts.signal} before any check ran; the promotion log is untouched\n`);
      return interrupts.exitCode();
    }

    const runId = makeRunId();
    const statusDir = mkdtempSync(path.join(os.tmpdir(), 'smoke-status-'));
    const statusFile = path.join(statusDir, 'promotion-log-status.json');
    let unregister = () => {};
    try {
      const redact = targetRedactor(target);
      const childEnv = suiteEnv(io.env, target, chromium, {
        SMOKE_RUN_ID: runId,
        SMOKE_ENV: envName,
        PROMOTION_LOG: logPath,
        PROMOTION_LOG_STATUS: statusFile,
        ...(manifest && { SMOKE_SCHEMA_MANIFEST: manifest }),
      });
      io.err(`run ${runId} against ${envName} (${target.BASE_URL}); promotion log: ${path.relative(io.cwd, logPath) || logPath}\n`);
      unregister = registerRun(runId);
      await sweepEarlierRuns(target, envName, runId, (line) => io.err(redact(line)));
      const code = await runPlaywright(CONFIG, args.passthrough, childEnv, io, redact);
      const status = readStatus(statusFile);
      if (interrupts.signal) {
        await sweepInterruptedRun(target, envName, runId, (line) => io.err(redact(line)));
        io.err(
          `test:smoke: interrupted by ${interrupts.signal}: ${status?.ok ? 'the promotion log holds the checks that finished' : `the promotion log was not written (${status?.error ?? 'Playwright ended first'})`}\n`,
        );
        return interrupts.exitCode();
      }
      if (!status) {
        io.err(`test:smoke: Playwright ended (exit ${code}) without writing the promotion log\n`);
        return EXIT.usage;
      }
      if (!status.ok) {
        io.err(`test:smoke: promotion log not written: ${status.error}\n`);
        return EXIT.usage;
      }
      // Fixtures clean up after every test; this proves they did (a crashed cleanup is a failed run).
      const left = await leftBehind(target, runId);
      if (left) {
        io.err(redact(`test:smoke: synthetic data of run ${runId} left behind: ${left}\n`));
        return EXIT.checkFailed;
      }
      // Playwright exits 0 when a retry passed; a release gate must not read that as all green.
      if (code === 0 && status.flaky?.length) {
        io.err(`test:smoke: flaky (passed only on retry): ${status.flaky.join(', ')}\n`);
        return EXIT.checkFailed;
      }
      return code === 0 ? EXIT.ok : EXIT.checkFailed;
    } finally {
      unregister();
      rmSync(statusDir, { recursive: true, force: true });
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === 'LogFileError')) {
      io.err(`${e.message.startsWith('test:smoke:') ? '' : 'test:smoke: '}${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    await stopSandbox?.();
    interrupts.dispose();
  }
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
