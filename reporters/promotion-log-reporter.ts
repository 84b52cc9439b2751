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
 * Run id from env `SMOKE_RUN_ID` (else a new one), environment name from env `SMOKE_ENV` (else `local`).
 * When env `PROMOTION_LOG_STATUS` names a file, the outcome is written there as JSON for the CLI:
 *   `{ "ok": true, "logPath", "warnings": [...] }` or `{ "ok": false, "error": "<one line>" }`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { LOG_PLACE_ANNOTATION, MEASUREMENT_ATTACHMENT, parseLogPlace, type Measurement } from '../src/log-annotations.ts';
import type { CheckResult, CheckStatus, RunResults } from '../src/results.ts';
import { makeRunId } from '../src/run/run-id.ts';
import { writePromotionLog } from './promotion-log/log-file.ts';
import { renderPromotionLog } from './promotion-log/render.ts';

export const DEFAULT_LOG_PATH = 'promotion/promotion-log.md';

export interface PromotionLogReporterOptions {
  /** The log to write; wins over env PROMOTION_LOG. Relative paths are relative to the config's folder. */
  logPath?: string;
  /** Passed by Playwright to every reporter. */
  configDir?: string;
}

const STATUS_BY_OUTCOME: Record<ReturnType<TestCase['outcome']>, CheckStatus> = {
  expected: 'passed',
  // Passed only on a retry: never reported as a plain pass.
  flaky: 'flaky',
  unexpected: 'failed',
  skipped: 'skipped',
};

export default class PromotionLogReporter implements Reporter {
  private readonly options: PromotionLogReporterOptions;
  private readonly tests = new Map<string, TestCase>();
  private configDir: string | undefined;
  /** Suite order, so the log lists checks the same way whatever order parallel workers finish in. */
  private order = new Map<string, number>();

  constructor(options: PromotionLogReporterOptions = {}) {
    this.options = options;
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.configDir = this.options.configDir ?? (config.configFile ? path.dirname(config.configFile) : undefined);
    this.order = new Map(suite.allTests().map((t, i) => [t.id, i]));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Keyed by id: retries call onTestEnd again for the same test, and outcome() needs all its results.
    if (placeAnnotations(test, result).length > 0) this.tests.set(test.id, test);
  }

  async onEnd(result: FullResult): Promise<void> {
    const env = process.env;
    const cwd = process.cwd();
    const logPath = resolveLogPath(this.options.logPath, env.PROMOTION_LOG, this.configDir ?? cwd, cwd);
    try {
      const warnings: string[] = [];
      const tests = [...this.tests.values()].sort((a, b) => (this.order.get(a.id) ?? 0) - (this.order.get(b.id) ?? 0));
      const checks = tests.flatMap((t) => toCheckResult(t, cwd, warnings) ?? []);
      const run: RunResults = {
        runId: env.SMOKE_RUN_ID || makeRunId(result.startTime),
        env: env.SMOKE_ENV || 'local',
        startedAt: result.startTime,
        finishedAt: new Date(result.startTime.getTime() + result.duration),
        checks,
      };
      const screenshotLinks = await copyScreenshots(checks, path.dirname(logPath), warnings);
      await writePromotionLog(logPath, (text) => {
        const out = renderPromotionLog(text, run, { now: new Date(), screenshotLinks });
        warnings.push(...out.warnings);
        return out.text;
      });
      for (const warning of warnings) process.stderr.write(`promotion-log: ${warning}\n`);
      const flaky = checks.filter((c) => c.status === 'flaky').map((c) => c.name);
      const failed = checks.filter((c) => c.status === 'failed').map((c) => c.name);
      await writeStatus(env.PROMOTION_LOG_STATUS, { ok: true, logPath, warnings, failed, flaky });
    } catch (e) {
      const error = firstLine(e instanceof Error ? e.message : String(e)) || 'unknown error';
      process.stderr.write(`promotion-log: not written: ${error}\n`);
      await writeStatus(env.PROMOTION_LOG_STATUS, { ok: false, error });
    }
  }
}

export function resolveLogPath(option: string | undefined, fromEnv: string | undefined, configDir: string, cwd: string): string {
  if (option) return path.resolve(configDir, option);
  if (fromEnv) return path.resolve(cwd, fromEnv);
  return path.resolve(configDir, DEFAULT_LOG_PATH);
}

function placeAnnotations(test: TestCase, result?: TestResult) {
  // Static annotations are on the test; ones a test adds while running are on its result.
  return [...test.annotations, ...(result?.annotations ?? [])].filter((a) => a.type === LOG_PLACE_ANNOTATION);
}

export function toCheckResult(test: TestCase, cwd: string, warnings: string[]): CheckResult | undefined {
  const last = test.results.at(-1);
  const annotation = placeAnnotations(test, last).at(-1);
  const place = parseLogPlace(annotation?.description);
  if (!place) {
    if (annotation) warnings.push(`test "${test.title}": annotation "${annotation.description ?? ''}" names no place in the log`);
    return undefined;
  }
  const name = place.kind === 'summary-row' ? place.row : place.heading;
  const status = STATUS_BY_OUTCOME[test.outcome()];
  const measurement = last && readMeasurement(last, name, warnings);
  const error =
    status === 'failed' ? errorLine(last?.error) : status === 'flaky' ? errorLine(test.results.find((r) => r.error)?.error) : undefined;
  const notes =
    status === 'skipped'
      ? skipReason(test, last)
      : measurement?.notes || (status === 'failed' ? (error ?? '') : '');
  const trace = test.results
    .flatMap((r) => r.attachments)
    .filter((a) => a.name === 'trace' && a.path)
    .at(-1);
  const screenshot = last?.attachments.filter((a) => a.contentType === 'image/png' && a.path).at(-1);
  return {
    name,
    place,
    status,
    // A skipped check measured nothing; the moments before test.skip() are not its duration.
    durationMs: measurement?.durationMs ?? (status === 'skipped' ? 0 : (last?.duration ?? 0)),
    notes,
    steps: (last?.steps ?? [])
      .filter((s) => s.category === 'test.step')
      .map((s) => ({ title: s.title, durationMs: s.duration, ok: !s.error })),
    error,
    screenshotPath: screenshot?.path,
    evidencePath: trace?.path && path.relative(cwd, trace.path).split(path.sep).join('/'),
    attempts: test.results.length,
  };
}

function readMeasurement(result: TestResult, name: string, warnings: string[]): Measurement | undefined {
  const attachment = result.attachments.filter((a) => a.name === MEASUREMENT_ATTACHMENT).at(-1);
  if (!attachment) return undefined;
  try {
    const raw = attachment.body ?? (attachment.path ? fs.readFileSync(attachment.path) : undefined);
    const value = JSON.parse(raw?.toString('utf8') ?? '') as Partial<Measurement>;
    if (typeof value.durationMs !== 'number' || !Number.isFinite(value.durationMs)) throw new Error('no durationMs');
    return { durationMs: value.durationMs, notes: typeof value.notes === 'string' ? firstLine(value.notes) : '' };
  } catch (e) {
    warnings.push(`"${name}": measurement attachment ignored (${firstLine((e as Error).message)})`);
    return undefined;
  }
}

function skipReason(test: TestCase, result: TestResult | undefined): string {
  const skip = [...(result?.annotations ?? []), ...test.annotations].find((a) => a.type === 'skip' || a.type === 'fixme');
  return firstLine(skip?.description ?? '');
}

function errorLine(error: TestError | undefined): string | undefined {
  const text = error?.message ?? error?.value;
  // Playwright prefixes plain errors with "Error: "; other names (TimeoutError, …) say something, so they stay.
  return text === undefined ? undefined : firstLine(text).replace(/^Error: /, '') || undefined;
}

function firstLine(text: string): string {
  // Playwright's messages carry terminal colours.
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  return (plain.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
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
