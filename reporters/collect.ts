/**
 * What the suite's own reporters (promotion log, summary.json) share: turning Playwright's test cases into the
 * results model (src/results.ts), in one stable order, with secrets taken out.
 *
 * A test takes part when it has a `promotion-log` annotation (src/log-annotations.ts): a place in the log, a
 * `verifies:` checkbox claim, or both. Everything comes from annotations and attachments, so it works the same
 * for a live run and for `playwright merge-reports` over the blob reports of a sharded run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { SECRET_VARS } from '../src/config/target-env.ts';
import { LOG_PLACE_ANNOTATION, MEASUREMENT_ATTACHMENT, parseLogAnnotation, type Measurement } from '../src/log-annotations.ts';
import { makeRedactor, type Redactor } from '../src/redact.ts';
import type { CheckboxClaim, CheckResult, CheckStatus, ListDetails, LogPlace, RunResults } from '../src/results.ts';
import { makeRunId } from '../src/run/run-id.ts';

export const STATUS_BY_OUTCOME: Record<ReturnType<TestCase['outcome']>, CheckStatus> = {
  expected: 'passed',
  // Passed only on a retry: never reported as a plain pass.
  flaky: 'flaky',
  unexpected: 'failed',
  skipped: 'skipped',
};

/** Collects the suite's checks from reporter callbacks; `checks()` lists them in suite order. */
export class CheckCollector {
  private readonly tests = new Map<string, TestCase>();
  private order = new Map<string, number>();
  private planned: TestCase[] = [];

  onBegin(suite: Suite): void {
    this.planned = suite.allTests();
    this.order = new Map(this.planned.map((t, i) => [t.id, i]));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Keyed by id: retries call onTestEnd again for the same test, and outcome() needs all its results.
    if (logAnnotations(test, result).length > 0) this.tests.set(test.id, test);
  }

  /**
   * Suite order by source location, so a sharded run merged from blobs lists its checks exactly like an
   * unsharded one; tests declared in a loop share a location and keep their order in the suite.
   */
  checks(cwd: string, warnings: string[]): CheckResult[] {
    // A run stopped early (Ctrl-C, SIGTERM) never ends some tests: they are reported as not run, so an earlier
    // run's result left in the log cannot pass for this run's.
    for (const t of this.planned) if (!this.tests.has(t.id) && logAnnotations(t).length > 0) this.tests.set(t.id, t);
    const key = (t: TestCase) => [t.location.file, String(t.location.line).padStart(8, '0'), String(t.location.column).padStart(8, '0')].join('\u0000');
    const tests = [...this.tests.values()].sort(
      (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : (this.order.get(a.id) ?? 0) - (this.order.get(b.id) ?? 0)),
    );
    return tests.flatMap((t) => toCheckResult(t, cwd, warnings) ?? []);
  }
}

/** A reporter that collects the suite's checks and writes once in onEnd, quietly. */
export abstract class CollectingReporter implements Reporter {
  protected readonly collector = new CheckCollector();
  /** The config's folder, against which relative paths in reporter options resolve. */
  protected configDir = process.cwd();
  /** The first project's outputDir (test-results/ unless configured). */
  protected outputDir = path.resolve('test-results');

  constructor(private readonly configDirOption?: string) {}

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.configDir = this.configDirOption ?? (config.configFile ? path.dirname(config.configFile) : process.cwd());
    this.outputDir = config.projects[0]?.outputDir ?? this.outputDir;
    this.collector.onBegin(suite);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.collector.onTestEnd(test, result);
  }

  abstract onEnd(result: FullResult): Promise<void>;
}

function logAnnotations(test: TestCase, result?: TestResult) {
  // Static annotations are on the test; ones a test adds while running are on its result.
  return [...test.annotations, ...(result?.annotations ?? [])].filter((a) => a.type === LOG_PLACE_ANNOTATION);
}

export function toCheckResult(test: TestCase, cwd: string, warnings: string[]): CheckResult | undefined {
  const last = test.results.at(-1);
  let place: LogPlace | undefined;
  const verifies: CheckboxClaim[] = [];
  for (const annotation of logAnnotations(test, last)) {
    const parsed = parseLogAnnotation(annotation.description);
    if (!parsed) warnings.push(`test "${test.title}": annotation "${annotation.description ?? ''}" names no place in the log`);
    else if (parsed.kind === 'place') place = parsed.place;
    else if (!verifies.some((v) => v.section === parsed.claim.section && v.item === parsed.claim.item)) verifies.push(parsed.claim);
  }
  if (!place && verifies.length === 0) return undefined;
  const name = place ? (place.kind === 'summary-row' ? place.row : place.heading) : test.title;
  const status = STATUS_BY_OUTCOME[test.outcome()];
  const measurement = last && readMeasurement(last, name, warnings);
  const error =
    status === 'failed' ? errorLine(last?.error) : status === 'flaky' ? errorLine(test.results.find((r) => r.error)?.error) : undefined;
  const notes = status === 'skipped' ? skipReason(test, last) : measurement?.notes || (status === 'failed' ? (error ?? '') : '');
  const trace = test.results
    .flatMap((r) => r.attachments)
    .filter((a) => a.name === 'trace' && a.path)
    .at(-1);
  const screenshot = last?.attachments.filter((a) => a.contentType === 'image/png' && a.path).at(-1);
  return {
    name,
    ...(place && { place }),
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
    ...(verifies.length > 0 && { verifies }),
    ...(measurement?.details && { details: measurement.details }),
    ...(measurement?.samplesMs && { samplesMs: measurement.samplesMs }),
  };
}

export function readMeasurement(result: TestResult, name: string, warnings: string[]): Measurement | undefined {
  const attachment = result.attachments.filter((a) => a.name === MEASUREMENT_ATTACHMENT).at(-1);
  if (!attachment) return undefined;
  try {
    const raw = attachment.body ?? (attachment.path ? fs.readFileSync(attachment.path) : undefined);
    const value = JSON.parse(raw?.toString('utf8') ?? '') as Partial<Measurement>;
    if (typeof value.durationMs !== 'number' || !Number.isFinite(value.durationMs)) throw new Error('no durationMs');
    const samples = Array.isArray(value.samplesMs) ? value.samplesMs.filter((n): n is number => typeof n === 'number' && Number.isFinite(n)) : [];
    const details = Array.isArray(value.details) ? value.details.filter(isListDetails) : [];
    return {
      durationMs: value.durationMs,
      notes: typeof value.notes === 'string' ? firstLine(value.notes) : '',
      ...(samples.length > 0 && { samplesMs: samples }),
      ...(details.length > 0 && { details }),
    };
  } catch (e) {
    warnings.push(`"${name}": measurement attachment ignored (${firstLine((e as Error).message)})`);
    return undefined;
  }
}

function isListDetails(value: unknown): value is ListDetails {
  const v = value as Partial<ListDetails> | null;
  return (
    typeof v?.list === 'string' &&
    typeof v.items === 'object' &&
    v.items !== null &&
    Object.values(v.items).every((x) => typeof x === 'string')
  );
}

export function skipReason(test: TestCase, result: TestResult | undefined): string {
  // Playwright reports a test cut short by Ctrl-C or SIGTERM as skipped; say why, or it reads like a choice.
  if (!result) return 'not run: the run was stopped before this check started';
  if (result.status === 'interrupted') return 'interrupted: the run was stopped before this check finished';
  const skip = [...(result?.annotations ?? []), ...test.annotations].find((a) => a.type === 'skip' || a.type === 'fixme');
  return firstLine(skip?.description ?? '');
}

export function errorLine(error: TestError | undefined): string | undefined {
  const text = error?.message ?? error?.value;
  // Playwright prefixes plain errors with "Error: "; other names (TimeoutError, …) say something, so they stay.
  return text === undefined ? undefined : firstLine(text).replace(/^Error: /, '') || undefined;
}

export function firstLine(text: string): string {
  // Playwright's messages carry terminal colours.
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  return (plain.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
}

// ---------------------------------------------------------------------------------------------------------------
// The run

export interface RunContext {
  env: NodeJS.ProcessEnv;
  /** The promotion log's text, when there is one: its "Release Version" names the release. */
  logText?: string;
}

/** Run id, environment, release, commit and deployment, from the environment the CLI (or CI) set. */
export function runResults(result: FullResult, checks: CheckResult[], ctx: RunContext, readRelease: (text: string) => string | undefined): RunResults {
  const env = ctx.env;
  const fromLog = ctx.logText ? readRelease(ctx.logText) : undefined;
  const release = env.SMOKE_RELEASE || (fromLog && !/^\[.*\]$/.test(fromLog) ? fromLog : undefined);
  const commit = env.SMOKE_COMMIT || env.VERCEL_GIT_COMMIT_SHA || env.GITHUB_SHA || undefined;
  const deploymentId = env.SMOKE_DEPLOYMENT_ID || env.VERCEL_DEPLOYMENT_ID || undefined;
  return {
    runId: env.SMOKE_RUN_ID || makeRunId(result.startTime),
    env: env.SMOKE_ENV || 'local',
    startedAt: result.startTime,
    finishedAt: new Date(result.startTime.getTime() + result.duration),
    checks,
    ...(result.status === 'interrupted' && { interrupted: true }),
    ...(release && { release }),
    ...(commit && { commit }),
    ...(deploymentId && { deploymentId }),
    ...(env.BASE_URL && { baseUrl: env.BASE_URL }),
  };
}

/** The redactor for the target's secret variables in `env` (and anything shaped like a JWT). */
export function secretRedactor(env: NodeJS.ProcessEnv): Redactor {
  return makeRedactor(Object.fromEntries(SECRET_VARS.map((k) => [k, env[k]])));
}

/** The run with every text a check carries passed through `redact`. */
export function redactRun(run: RunResults, redact: Redactor): RunResults {
  const r = (s: string | undefined) => (s === undefined ? undefined : redact(s));
  return {
    ...run,
    ...(run.baseUrl && { baseUrl: redact(run.baseUrl) }),
    checks: run.checks.map((c) => ({
      ...c,
      notes: redact(c.notes),
      error: r(c.error),
      steps: c.steps.map((s) => ({ ...s, title: redact(s.title) })),
      ...(c.details && {
        details: c.details.map((d) => ({ list: d.list, items: Object.fromEntries(Object.entries(d.items).map(([k, v]) => [k, redact(v)])) })),
      }),
    })),
  };
}

/** The output path: reporter option (relative to the config's folder), then environment variable, then default. */
export function resolveOutputPath(option: string | undefined, fromEnv: string | undefined, configDir: string, cwd: string, fallback: string): string {
  if (option) return path.resolve(configDir, option);
  if (fromEnv) return path.resolve(cwd, fromEnv);
  return path.resolve(configDir, fallback);
}
