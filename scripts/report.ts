// `pnpm report`: see src/run/allure-report.ts.
import path from 'node:path';
import { EXIT, UsageError } from '../src/errors.ts';
import { buildReport, reportOptions } from '../src/run/allure-report.ts';

try {
  const index = buildReport(reportOptions(process.argv.slice(2), process.cwd(), process.env));
  process.stdout.write(`report: ${path.relative(process.cwd(), index) || index}\n`);
} catch (e) {
  process.stderr.write(`${e instanceof UsageError ? '' : 'report: '}${(e as Error).message}\n`);
  process.exitCode = e instanceof UsageError ? EXIT.usage : 1;
}
