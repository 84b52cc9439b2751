/**
 * `pnpm report` (scripts/report.ts): builds the Allure HTML report of the last smoke run, offline (the `allure` npm package: no Java,
 * no network), with the history of earlier runs so the report shows trends.
 *
 *   pnpm report [--results=test-results/allure-results] [--out=allure-report] [--history=.allure/history.jsonl]
 *
 * The history file is what carries trends from one run to the next: keep it (commit it, or cache it in CI).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs } from '../cli/args.ts';
import { UsageError } from '../errors.ts';

export interface ReportOptions {
  results: string;
  out: string;
  history: string;
  name: string;
}

export function reportOptions(argv: string[], cwd: string, env: NodeJS.ProcessEnv): ReportOptions {
  const args = parseCliArgs(argv, { command: 'report', flags: ['results', 'out', 'history', 'name'] });
  const outputDir = env.SMOKE_OUTPUT_DIR ?? 'test-results';
  return {
    results: path.resolve(cwd, args.flags.results ?? path.join(outputDir, 'allure-results')),
    out: path.resolve(cwd, args.flags.out ?? 'allure-report'),
    history: path.resolve(cwd, args.flags.history ?? '.allure/history.jsonl'),
    name: args.flags.name ?? 'Marsana Fleet smoke',
  };
}

/**
 * allure generate leaves an earlier report's data in place, so the folder is emptied first; a folder that is not
 * an Allure report (no index.html beside data/) is refused rather than emptied.
 */
function clearOutput(out: string): void {
  if (!fs.existsSync(out)) return;
  const entries = fs.readdirSync(out);
  const isReport = entries.includes('index.html') && entries.includes('data');
  if (entries.length > 0 && !isReport) throw new UsageError(`report: ${out} exists and is not an Allure report; choose another --out`);
  fs.rmSync(out, { recursive: true, force: true });
}

/** Runs `allure generate` with a config naming the history file; returns the report's index.html. */
export function buildReport(opts: ReportOptions): string {
  const results = fs.existsSync(opts.results) ? fs.readdirSync(opts.results).filter((f) => f.endsWith('-result.json')) : [];
  if (results.length === 0) throw new UsageError(`report: no Allure results in ${opts.results}; run pnpm test:smoke first`);
  fs.mkdirSync(path.dirname(opts.history), { recursive: true });
  clearOutput(opts.out);
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'allure-config-'));
  try {
    const config = path.join(configDir, 'allurerc.mjs');
    fs.writeFileSync(
      config,
      `export default ${JSON.stringify({ name: opts.name, output: opts.out, historyPath: opts.history, plugins: { awesome: { options: { reportName: opts.name } } } }, null, 2)};\n`,
    );
    // The package exports no subpath for its bin; it sits beside dist/.
    const cli = path.resolve(path.dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js');
    const run = spawnSync(process.execPath, [cli, 'generate', '--config', config, opts.results], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (run.status !== 0) throw new Error(`allure generate exited ${run.status}: ${(run.stderr || run.stdout).trim().split('\n').at(-1)}`);
  } finally {
    fs.rmSync(configDir, { recursive: true, force: true });
  }
  const index = path.join(opts.out, 'index.html');
  if (!fs.existsSync(index)) throw new Error(`allure generate wrote no ${index}`);
  return index;
}

