/**
 * Playwright reporter that writes summary.json (reporters/summary/summary.ts): every check and flow of the run,
 * its status, durations, latency samples and percentiles, and the run's id, environment, release, commit and
 * deployment when known. Like the promotion-log reporter it collects in onTestEnd and writes once in onEnd, so a
 * sharded run merged with `merge-reports` writes one summary for the whole run.
 *
 * Output file, first found wins: reporter option `outputFile` (relative to the config's folder), env
 * `SMOKE_SUMMARY` (relative to the current directory), `summary.json` in the first project's outputDir.
 * The release comes from env `SMOKE_RELEASE`, else from the promotion log's "Release Version" (env
 * `PROMOTION_LOG`, read only). Secret values in the environment are redacted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FullResult } from '@playwright/test/reporter';
import { CollectingReporter, firstLine, redactRun, resolveOutputPath, runResults, secretRedactor } from './collect.ts';
import { atomicWrite } from './promotion-log/log-file.ts';
import { readLogField } from './promotion-log/render.ts';
import { buildSummary } from './summary/summary.ts';

export interface SummaryJsonReporterOptions {
  outputFile?: string;
  configDir?: string;
}

export default class SummaryJsonReporter extends CollectingReporter {
  constructor(private readonly options: SummaryJsonReporterOptions = {}) {
    super(options.configDir);
  }

  async onEnd(result: FullResult): Promise<void> {
    const env = process.env;
    const cwd = process.cwd();
    const file = resolveOutputPath(this.options.outputFile, env.SMOKE_SUMMARY, this.configDir, cwd, path.join(this.outputDir, 'summary.json'));
    try {
      const warnings: string[] = [];
      const logText = env.PROMOTION_LOG ? await fs.promises.readFile(path.resolve(cwd, env.PROMOTION_LOG), 'utf8').catch(() => undefined) : undefined;
      const run = runResults(result, this.collector.checks(cwd, warnings), { env, logText }, (t) => readLogField(t, 'Release Version'));
      const summary = buildSummary(redactRun(run, secretRedactor(env)));
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await atomicWrite(file, `${JSON.stringify(summary, null, 2)}\n`);
    } catch (e) {
      process.stderr.write(`summary.json: not written: ${secretRedactor(env)(firstLine((e as Error).message ?? String(e)))}\n`);
    }
  }
}
