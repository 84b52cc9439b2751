/**
 * `pnpm test:e2e`: the deeper set for staging (tests/e2e, playwright.e2e.config.ts). The target as for
 * `test:smoke` (`--env=local` starts the embedded sandbox, else `.env.NAME`); writes only with SMOKE_ALLOW_WRITES=1,
 * as the smoke suite (write tests are skipped otherwise, never passed). No promotion log: results go to
 * E2E_OUTPUT_DIR (default e2e-results/). Exit 0 all passed, 1 a test failed or passed only on retry (flaky),
 * 2 usage/config/environment.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveChromium } from '../browser.ts';
import { parseCliArgs } from '../cli/args.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { E2eSummary } from '../../reporters/e2e/e2e-results.ts';
import { makeRunId } from './run-id.ts';
import { openTarget, type OpenTarget } from './open-target.ts';
import { runPlaywright, suiteEnv, targetRedactor, type ChildIo } from './playwright-child.ts';

const USAGE = 'usage: pnpm test:e2e [--env=NAME] [-- <playwright args>]';
const CONFIG = path.resolve(import.meta.dirname, '../../playwright.e2e.config.ts');

export async function runE2e(argv: string[], io: ChildIo, opts: { target?: OpenTarget } = {}): Promise<number> {
  let stopSandbox: (() => Promise<void>) | undefined;
  try {
    const args = parseCliArgs(argv, { command: 'test:e2e', flags: ['env', 'help'], booleans: ['help'] });
    if (args.flags.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    const envName = args.flags.env ?? 'local';
    const chromium = resolveChromium(io.env);
    const opened = opts.target ?? (await openTarget(envName, io.cwd, io.env, io.err));
    if (!opts.target) stopSandbox = () => opened.close();
    const target = opened.env;

    const runId = makeRunId(new Date(), 'e2e');
    const outputDir = path.resolve(io.cwd, io.env.E2E_OUTPUT_DIR ?? 'e2e-results');
    const summaryFile = path.resolve(io.cwd, io.env.E2E_SUMMARY ?? path.join(outputDir, 'e2e-summary.json'));
    // A summary left by an earlier run must not pass for this one's.
    rmSync(summaryFile, { force: true });
    const childEnv = suiteEnv(io.env, target, chromium, { SMOKE_RUN_ID: runId, SMOKE_ENV: envName, E2E_OUTPUT_DIR: outputDir, E2E_SUMMARY: summaryFile });
    io.err(`run ${runId} against ${envName} (${target.BASE_URL}); results: ${path.relative(io.cwd, outputDir) || outputDir}\n`);
    const code = await runPlaywright(CONFIG, args.passthrough, childEnv, io, targetRedactor(target));
    const outcome = verdict(code, readSummary(summaryFile), path.relative(io.cwd, summaryFile) || summaryFile);
    if (outcome.message) io.err(`test:e2e: ${outcome.message}\n`);
    return outcome.exit;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`test:e2e: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  } finally {
    await stopSandbox?.();
  }
}

/** The exit code of a run from Playwright's and the summary's word; a message when they need one. */
export function verdict(code: number, summary: E2eSummary | undefined, summaryName: string): { exit: number; message?: string } {
  if (!summary) return { exit: EXIT.usage, message: `Playwright ended (exit ${code}) without writing ${summaryName}` };
  // Playwright exits 0 when a retry passed; staging must not read that as all green.
  const flaky = summary.tests.filter((t) => t.status === 'flaky').map((t) => t.name);
  if (code === 0 && flaky.length > 0) return { exit: EXIT.checkFailed, message: `flaky (passed only on retry): ${flaky.join(', ')}` };
  return { exit: code === 0 ? EXIT.ok : EXIT.checkFailed };
}

function readSummary(file: string): E2eSummary | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as E2eSummary;
  } catch {
    return undefined;
  }
}
