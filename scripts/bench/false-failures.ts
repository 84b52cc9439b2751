/**
 * `pnpm bench:false-failures`: cold `pnpm test:smoke` runs in a row against the embedded sandbox with no faults,
 * each in its own temporary folder (scripts/bench/cold-smoke.ts, as `pnpm bench` runs them), counting the false
 * failures: a check that failed or passed only on its retry, or a non-zero exit, where nothing is wrong. Rewrites
 * only the `## False failures …` section of docs/BENCHMARKS.md (atomically); everything else stays byte for byte.
 *
 *   pnpm bench:false-failures [--runs=20] [--out=docs/BENCHMARKS.md]
 *
 * Exit 0 when no run had a false failure, 1 when one did (its reasons printed, its folder kept), 2 for bad flags.
 */
import { accessSync, constants, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { parseCliArgs } from '../../src/cli/args.ts';
import { UsageError } from '../../src/errors.ts';
import type { RunSummary } from '../../reporters/summary/summary.ts';
import { coldSmokeRun, fmt, machineLine, median, ROOT, utcMinute } from './cold-smoke.ts';
import { FALSE_FAILURES_HEADING, replaceSection } from './sections.ts';

type Status = 'passed' | 'failed' | 'flaky' | 'skipped';

interface CheckOutcome {
  name: string;
  status: Status;
  /** First line of why it failed, was flaky (the failed attempt's error) or was skipped. */
  reason: string;
}

interface RunOutcome {
  run: number;
  code: number | null;
  wallMs: number;
  checks: CheckOutcome[];
  /** Where the checks were read from. */
  source: 'summary.json' | 'results.json' | 'none';
  /** Why the run is a false failure beyond its checks: a non-zero exit, missing results, Playwright errors. */
  problems: string[];
  dir: string;
}

const firstLine = (s: string | null | undefined) =>
  (s ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '') ?? '';

interface JsonReport {
  stats?: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors?: { message?: string }[];
  suites?: JsonSuite[];
}
interface JsonSuite {
  suites?: JsonSuite[];
  specs?: { title: string; tests: { status: 'expected' | 'unexpected' | 'flaky' | 'skipped'; results: { error?: { message?: string } }[] }[] }[];
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The checks of Playwright's JSON report, for a run that left no summary.json. */
function checksFromReport(report: JsonReport): CheckOutcome[] {
  const out: CheckOutcome[] = [];
  const status = { expected: 'passed', unexpected: 'failed', flaky: 'flaky', skipped: 'skipped' } as const;
  const visit = (suite: JsonSuite) => {
    suite.suites?.forEach(visit);
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        const error = t.results.find((r) => r.error?.message)?.error?.message;
        out.push({ name: spec.title, status: status[t.status], reason: firstLine(error) });
      }
    }
  };
  report.suites?.forEach(visit);
  return out;
}

/** What one run's result files say: summary.json first (the log's names and reasons), Playwright's JSON as a cross-check. */
function readRunOutcome(outputDir: string): Pick<RunOutcome, 'checks' | 'source' | 'problems'> {
  const problems: string[] = [];
  const summary = readJson<RunSummary>(path.join(outputDir, 'summary.json'));
  const report = readJson<JsonReport>(path.join(outputDir, 'results.json'));
  let checks: CheckOutcome[] = [];
  let source: RunOutcome['source'] = 'none';
  if (summary?.checks) {
    source = 'summary.json';
    checks = summary.checks.map((c) => ({
      name: c.name,
      status: c.status,
      reason: firstLine(c.status === 'passed' ? '' : c.status === 'skipped' ? c.notes || c.error : c.error || c.notes),
    }));
    if (summary.interrupted) problems.push('summary.json: the run was interrupted before every check ran');
  } else if (report) {
    source = 'results.json';
    checks = checksFromReport(report);
    problems.push('no summary.json: checks read from Playwright\'s JSON report');
  } else {
    problems.push('no summary.json and no results.json: the run wrote no results');
  }
  if (report?.stats && source === 'summary.json') {
    // Every Playwright test is a check of the summary; a failure the summary does not show is still one.
    const failed = checks.filter((c) => c.status === 'failed').length;
    const flaky = checks.filter((c) => c.status === 'flaky').length;
    if (report.stats.unexpected > failed) problems.push(`results.json: ${report.stats.unexpected} unexpected test(s), summary.json: ${failed} failed check(s)`);
    if (report.stats.flaky > flaky) problems.push(`results.json: ${report.stats.flaky} flaky test(s), summary.json: ${flaky} flaky check(s)`);
  }
  for (const e of report?.errors ?? []) problems.push(`Playwright error: ${firstLine(e.message)}`);
  return { checks, source, problems };
}

/** The last line the run printed that says something (the reason of an exit 1 with no failed check, or an exit 2). */
function lastWords(outputFile: string | undefined): string {
  if (!outputFile) return '';
  const lines = readFileSync(outputFile, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.at(-1) ?? '';
}

const isFalseFailure = (r: RunOutcome) => r.code !== 0 || r.problems.length > 0 || r.checks.some((c) => c.status === 'failed' || c.status === 'flaky');

/** The environment of a clean run: the embedded sandbox (PGlite), no faults, nothing pointing elsewhere. */
function cleanRunEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['SANDBOX_FAULTS', 'DATABASE_URL', 'PROMOTION_LOG', 'SMOKE_SUMMARY', 'SMOKE_SHARDED', 'SMOKE_SCHEMA_MANIFEST', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID']) {
    delete env[k];
  }
  return env;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function renderSection(runs: RunOutcome[], meta: { date: string; machine: string; node: string; loadavg: string }): string {
  const n = runs.length;
  const green = runs.filter((r) => !isFalseFailure(r)).length;
  const all = runs.flatMap((r) => r.checks.map((c) => ({ ...c, run: r.run })));
  const count = (s: Status) => all.filter((c) => c.status === s).length;
  const walls = runs.map((r) => r.wallMs);
  const perRun = median(runs.map((r) => r.checks.length));

  const byCheck = new Map<string, { failed: number; flaky: number; skipped: number; reasons: string[] }>();
  for (const c of all) {
    if (c.status === 'passed') continue;
    const e = byCheck.get(c.name) ?? { failed: 0, flaky: 0, skipped: 0, reasons: [] };
    e[c.status]++;
    const reason = `run ${c.run}${c.status === 'skipped' ? ' (skipped)' : c.status === 'flaky' ? ' (flaky)' : ''}: ${c.reason || 'no reason recorded'}`;
    if (e.reasons.length < 3 && !e.reasons.some((x) => x.endsWith(`: ${c.reason}`))) e.reasons.push(reason);
    byCheck.set(c.name, e);
  }
  const checkTable = byCheck.size
    ? [
        '',
        '| check | failed | flaky | skipped | reasons (first line; each different one, up to 3) |',
        '|---|---|---|---|---|',
        ...[...byCheck].map(([name, e]) => `| ${cell(name)} | ${e.failed} | ${e.flaky} | ${e.skipped} | ${e.reasons.map(cell).join('<br>')} |`),
      ]
    : [];
  const bad = runs.filter(isFalseFailure);
  const runLines = bad.length
    ? [
        '',
        'Runs with a false failure:',
        '',
        ...bad.map((r) => {
          // The checks by name (their reasons are in the table above), then what else went wrong.
          const named = (s: Status) => r.checks.filter((c) => c.status === s).map((c) => c.name);
          const what = [
            ...(named('failed').length ? [`failed: ${named('failed').join(', ')}`] : []),
            ...(named('flaky').length ? [`flaky: ${named('flaky').join(', ')}`] : []),
            ...r.problems,
          ];
          return `- run ${r.run}: exit ${r.code ?? 'none (killed)'}, ${fmt(r.wallMs)}; ${what.map((w) => w.replace(/\s+/g, ' ')).join('; ')}`;
        }),
      ]
    : [];

  return `## False failures (${n} clean runs)

Produced by \`pnpm bench:false-failures [--runs=20] [--out=docs/BENCHMARKS.md]\` (scripts/bench/false-failures.ts),
which rewrites this section only (\`pnpm bench\` carries it over): ${n} cold \`pnpm test:smoke\` runs in a row against
the embedded sandbox with no faults, each with its own temporary folder, promotion log and results, read from its
summary.json and Playwright JSON report. A false failure is a check that failed or passed only on its retry (flaky),
or a run that exited non-zero, on this clean sandbox, where every check should pass: the target is none.

- Date: ${meta.date} UTC
- Machine: ${meta.machine}; Node ${meta.node}; load average when the runs ended: ${meta.loadavg} (1, 5, 15 min)
- Runs: ${n}; green (exit 0, no check failed or flaky): ${green} of ${n}
- Checks per run: ${perRun}; failed checks: ${count('failed')}; flaky checks: ${count('flaky')}; skipped checks: ${count('skipped')} (over all ${n} runs)
- Wall time per run: median ${fmt(median(walls))}, min ${fmt(Math.min(...walls))}, max ${fmt(Math.max(...walls))}
${[...checkTable, ...runLines].join('\n')}
`;
}

async function main(): Promise<number> {
  const args = parseCliArgs(process.argv.slice(2), { command: 'bench:false-failures', flags: ['runs', 'out'] });
  const runs = Number(args.flags.runs ?? 20);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError('bench:false-failures: --runs must be a whole number ≥ 1');
  const out = path.resolve(args.flags.out ?? path.join(ROOT, 'docs/BENCHMARKS.md'));
  // Checked before the runs, not after ten minutes of them.
  try {
    if (!statSync(out).isFile()) throw new Error('not a file');
    accessSync(out, constants.R_OK);
    accessSync(path.dirname(out), constants.W_OK);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (the section is written into an existing benchmarks file)' : ((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    throw new UsageError(`bench:false-failures: --out=${args.flags.out ?? path.relative(process.cwd(), out)}: ${why}`);
  }

  console.error(`bench:false-failures: ${runs} cold pnpm test:smoke runs in a row, embedded sandbox, no faults`);
  const env = cleanRunEnv();
  const outcomes: RunOutcome[] = [];
  for (let i = 1; i <= runs; i++) {
    const run = await coldSmokeRun({ env, sampleMemory: false, captureOutput: true });
    const read = readRunOutcome(run.outputDir);
    const outcome: RunOutcome = { run: i, code: run.code, wallMs: run.wallMs, ...read, dir: run.dir };
    const failing = outcome.checks.some((c) => c.status === 'failed' || c.status === 'flaky');
    if (run.code !== 0 && !failing) outcome.problems.push(`exit ${run.code}: ${lastWords(run.outputFile) || 'nothing printed'}`);
    outcomes.push(outcome);
    const tally = (['passed', 'failed', 'flaky', 'skipped'] as const).map((s) => `${outcome.checks.filter((c) => c.status === s).length} ${s}`).join(', ');
    console.error(`  run ${i}/${runs}: exit ${run.code}, ${fmt(run.wallMs)}, ${tally}`);
    if (isFalseFailure(outcome)) {
      for (const c of outcome.checks.filter((c) => c.status === 'failed' || c.status === 'flaky')) console.error(`    ${c.status}: ${c.name}: ${c.reason || 'no reason recorded'}`);
      for (const p of outcome.problems) console.error(`    ${p}`);
      console.error(`    kept: ${run.dir} (log.md, output.log, test-results/ with traces)`);
    } else {
      rmSync(run.dir, { recursive: true, force: true });
    }
  }

  const section = renderSection(outcomes, {
    date: utcMinute(),
    machine: machineLine(),
    node: process.version,
    loadavg: os.loadavg().map((l) => l.toFixed(1)).join(', '),
  });
  // Read just before writing, so an edit made while the runs went on is kept.
  const doc = readFileSync(out, 'utf8');
  await writeFileAtomic(out, replaceSection(doc, FALSE_FAILURES_HEADING, section));
  const bad = outcomes.filter(isFalseFailure).length;
  console.error(`bench:false-failures: ${runs - bad} of ${runs} runs green; wrote ${path.relative(process.cwd(), out) || out}`);
  return bad ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`${e instanceof UsageError ? e.message : `bench:false-failures: ${e.message}`}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
