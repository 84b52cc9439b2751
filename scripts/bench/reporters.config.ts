/**
 * `pnpm bench`'s reporter-overhead runs: the suite's own configuration, with either its reporters or the
 * console reporter alone (BENCH_REPORTERS=all|console), between two marks that time the reporters' onEnd.
 * Relative paths of the suite's configuration are made absolute: Playwright resolves them against this file.
 */
import path from 'node:path';
import { defineConfig, type ReporterDescription } from '@playwright/test';
import base from '../../playwright.config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const marks = (name: 'first' | 'last'): ReporterDescription => [path.join(import.meta.dirname, 'marks-reporter.ts'), { name }];
const all = ((base.reporter ?? []) as ReporterDescription[]).map(
  ([name, options]): ReporterDescription => [name.startsWith('.') ? path.resolve(ROOT, name) : name, options],
);
const chosen = process.env.BENCH_REPORTERS === 'console' ? all.slice(0, 1) : all;

export default defineConfig({
  ...base,
  testDir: path.resolve(ROOT, base.testDir ?? 'tests/smoke'),
  outputDir: path.resolve(ROOT, base.outputDir ?? 'test-results'),
  reporter: [marks('first'), ...chosen, marks('last')],
});
