/**
 * Playwright reporter that writes the smoke results into the promotion log.
 *
 * It collects in onTestEnd and renders and writes once in onEnd, so it works the same for a live run and for
 * `playwright merge-reports` over blob reports (annotations and attachments travel in the blobs).
 *
 * Which tests: those with a `promotion-log` annotation (src/log-annotations.ts); all others are ignored.
 *
 * Log path, first found wins:
 *   1. reporter option `logPath` (relative to the config's folder),
 *   2. env `PROMOTION_LOG` (relative to the current directory),
 *   3. `promotion/promotion-log.md` (relative to the config's folder).
 * Run id from env `SMOKE_RUN_ID` (else a new one), environment name from env `SMOKE_ENV` (else `local`); the
 * values of the target's secret variables in the environment are redacted from everything it writes.
 * Beside the log: `screenshots/<check>.png` and `charts/smoke-durations.svg` (linked from the log).
 * When env `PROMOTION_LOG_STATUS` names a file, the outcome is written there as JSON for the CLI:
 *   `{ "ok": true, "logPath", "warnings": [...], "failed": [...], "flaky": [...] }` or `{ "ok": false, "error": "<one line>" }`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FullResult } from '@playwright/test/reporter';
import type { CheckResult } from '../src/results.ts';
import { CollectingReporter, firstLine, redactRun, resolveOutputPath, runResults, secretRedactor } from './collect.ts';
import { durationsChartSvg } from './promotion-log/charts.ts';
import { checkPromotionLog, writePromotionLog } from './promotion-log/log-file.ts';
import { readLogField, renderPromotionLog } from './promotion-log/render.ts';

export { toCheckResult } from './collect.ts';

export const DEFAULT_LOG_PATH = 'promotion/promotion-log.md';
export const CHART_LINK = 'charts/smoke-durations.svg';

export interface PromotionLogReporterOptions {
  /** The log to write; wins over env PROMOTION_LOG. Relative paths are relative to the config's folder. */
  logPath?: string;
  /** Passed by Playwright to every reporter. */
  configDir?: string;
}

export default class PromotionLogReporter extends CollectingReporter {
  constructor(private readonly options: PromotionLogReporterOptions = {}) {
    super(options.configDir);
  }

  async onEnd(result: FullResult): Promise<void> {
    const env = process.env;
    const cwd = process.cwd();
    const logPath = resolveLogPath(this.options.logPath, env.PROMOTION_LOG, this.configDir, cwd);
    try {
      const warnings: string[] = [];
      const redact = secretRedactor(env);
      const checks = this.collector.checks(cwd, warnings);
      // Nothing goes beside a file that is not a promotion log, or that cannot be written.
      checkPromotionLog(logPath);
      const logDir = path.dirname(logPath);
      const screenshotLinks = await copyScreenshots(checks, logDir, warnings);
      const chartLink = await writeChart(checks, logDir, warnings);
      await writePromotionLog(logPath, (text) => {
        const run = redactRun(runResults(result, checks, { env, logText: text }, (t) => readLogField(t, 'Release Version')), redact);
        const out = renderPromotionLog(text, run, { now: new Date(), screenshotLinks, chartLink });
        warnings.push(...out.warnings.map(redact));
        return out.text;
      });
      for (const warning of warnings) process.stderr.write(`promotion-log: ${warning}\n`);
      const flaky = checks.filter((c) => c.status === 'flaky').map((c) => c.name);
      const failed = checks.filter((c) => c.status === 'failed').map((c) => c.name);
      await writeStatus(env.PROMOTION_LOG_STATUS, { ok: true, logPath, warnings, failed, flaky });
    } catch (e) {
      const error = secretRedactor(env)(firstLine(e instanceof Error ? e.message : String(e)) || 'unknown error');
      process.stderr.write(`promotion-log: not written: ${error}\n`);
      await writeStatus(env.PROMOTION_LOG_STATUS, { ok: false, error });
    }
  }
}

export function resolveLogPath(option: string | undefined, fromEnv: string | undefined, configDir: string, cwd: string): string {
  return resolveOutputPath(option, fromEnv, configDir, cwd, DEFAULT_LOG_PATH);
}

/**
 * Copies screenshots beside the log, one file per check named after it, so a rerun overwrites instead of
 * piling up, and the log's links stay valid when test-results/ is cleaned.
 */
async function copyScreenshots(checks: CheckResult[], logDir: string, warnings: string[]): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  for (const check of checks) {
    if (!check.screenshotPath) continue;
    const link = `screenshots/${slug(check.name)}.png`;
    try {
      await fs.promises.mkdir(path.join(logDir, 'screenshots'), { recursive: true });
      await fs.promises.copyFile(check.screenshotPath, path.join(logDir, link));
      links.set(check.name, link);
    } catch (e) {
      warnings.push(`"${check.name}": screenshot not copied (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return links;
}

/** The per-check durations chart, beside the log; a run without checks draws none. */
async function writeChart(checks: CheckResult[], logDir: string, warnings: string[]): Promise<string | undefined> {
  const bars = checks.filter((c) => c.place);
  if (bars.length === 0) return undefined;
  try {
    await fs.promises.mkdir(path.join(logDir, 'charts'), { recursive: true });
    await fs.promises.writeFile(path.join(logDir, CHART_LINK), durationsChartSvg(bars));
    return CHART_LINK;
  } catch (e) {
    warnings.push(`duration chart not written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return undefined;
  }
}

export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'check';
}

async function writeStatus(file: string | undefined, status: object): Promise<void> {
  if (!file) return;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, `${JSON.stringify(status, null, 2)}\n`);
  } catch (e) {
    process.stderr.write(`promotion-log: status file ${file} not written (${(e as Error).message})\n`);
  }
}
