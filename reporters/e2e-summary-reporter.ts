/**
 * Playwright reporter of the e2e set: writes e2e-summary.json (reporters/e2e/e2e-results.ts) and prints one line
 * per test when the run ends. A test that passed only on a retry is flaky, never passed. Secrets are redacted.
 *
 * Output file, first found wins: reporter option `outputFile` (relative to the config's folder), env
 * `E2E_SUMMARY` (relative to the current directory), `e2e-summary.json` in the first project's outputDir.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { errorLine, firstLine, readMeasurement, resolveOutputPath, secretRedactor, skipReason, STATUS_BY_OUTCOME } from './collect.ts';
import { atomicWrite } from './promotion-log/log-file.ts';
import { e2eSummary, renderConsole, type E2eTestResult } from './e2e/e2e-results.ts';

export interface E2eSummaryReporterOptions {
  outputFile?: string;
}

export default class E2eSummaryReporter implements Reporter {
  private configDir = process.cwd();
  private outputDir = path.resolve('e2e-results');
  private planned: TestCase[] = [];

  constructor(private readonly options: E2eSummaryReporterOptions = {}) {}

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.configDir = config.configFile ? path.dirname(config.configFile) : process.cwd();
    this.outputDir = config.projects[0]?.outputDir ?? this.outputDir;
    this.planned = suite.allTests();
  }

  async onEnd(result: FullResult): Promise<void> {
    const env = process.env;
    const redact = secretRedactor(env);
    const file = resolveOutputPath(this.options.outputFile, env.E2E_SUMMARY, this.configDir, process.cwd(), path.join(this.outputDir, 'e2e-summary.json'));
    const tests = this.planned.map(toResult).map((t) => ({ ...t, notes: redact(t.notes), error: t.error && redact(t.error) }));
    const summary = e2eSummary({
      runId: env.SMOKE_RUN_ID ?? '',
      env: env.SMOKE_ENV ?? 'local',
      baseUrl: env.BASE_URL ? redact(env.BASE_URL) : null,
      startedAt: result.startTime.toISOString(),
      finishedAt: new Date(result.startTime.getTime() + result.duration).toISOString(),
      tests,
    });
    process.stdout.write(`\n${renderConsole(summary)}`);
    try {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await atomicWrite(file, `${JSON.stringify(summary, null, 2)}\n`);
    } catch (e) {
      process.stderr.write(`e2e-summary.json: not written: ${redact(firstLine((e as Error).message ?? String(e)))}\n`);
    }
  }
}

function toResult(test: TestCase): E2eTestResult {
  const last: TestResult | undefined = test.results.at(-1);
  const name = test.title;
  // A test never started (run stopped) has no results; Playwright's outcome() calls it skipped.
  const status = STATUS_BY_OUTCOME[test.outcome()];
  const measurement = last && readMeasurement(last, name, []);
  const error = status === 'failed' ? errorLine(last?.error) : status === 'flaky' ? errorLine(test.results.find((r) => r.error)?.error) : undefined;
  const notes = status === 'skipped' ? skipReason(test, last) : measurement?.notes || (status === 'failed' ? (error ?? '') : '');
  return {
    name,
    status,
    durationMs: measurement?.durationMs ?? (status === 'skipped' ? 0 : (last?.duration ?? 0)),
    attempts: test.results.length,
    notes,
    error: error ?? null,
  };
}
