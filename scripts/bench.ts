/**
 * `pnpm bench`: measures the suite on this machine and rewrites docs/BENCHMARKS.md with the figures, the
 * machine and the date. Speed goals live here, not in timed tests that flake on a busy machine.
 *
 *   pnpm bench [--runs=5] [--out=docs/BENCHMARKS.md]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs } from '../src/cli/args.ts';
import { appProfile } from '../src/config/app-profile.ts';
import { UsageError } from '../src/errors.ts';
import { MEASUREMENT_ATTACHMENT, LOG_PLACE_ANNOTATION } from '../src/log-annotations.ts';
import { startSandbox } from '../sandbox/src/index.ts';
import { measureRealtimeLatency } from '../sandbox/bench/realtime-latency.ts';
import { createTestDatabase } from '../tests/proofs/test-database.ts';
import { readyTimes, restVehiclesUnderLoad } from './bench/sandbox-figures.ts';
import { measureMonitorCpu } from './bench/monitor-cpu.ts';
import { compareWithWrk } from './bench/load-vs-wrk.ts';
import { measureCommitToScreen } from './bench/commit-to-screen.ts';
import { coldSmokeRun, fmt, machineLine, median, mib, ROOT, utcMinute } from './bench/cold-smoke.ts';
import { carrySection, FALSE_FAILURES_HEADING } from './bench/sections.ts';

const TABLE_ROWS = new Set(['Database Connection', ...appProfile.tableChecks.map((t) => t.row), 'API Health', 'Authentication']);

interface SmokeRun {
  wallMs: number;
  /** Highest summed resident memory of the run's process tree (sandbox, Playwright, workers, browser). */
  peakBytes: number;
  code: number | null;
  tableSumMs: number;
  tableWallMs: number;
}

interface JsonReport {
  suites: JsonSuite[];
}
interface JsonSuite {
  suites?: JsonSuite[];
  specs?: { title: string; tests: { annotations: { type: string; description?: string }[]; results: { startTime: string; duration: number; attachments: { name: string; body?: string }[] }[] }[] }[];
}

function tableCheckTimes(reportFile: string): { sum: number; wall: number } {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
  let sum = 0;
  let first = Infinity;
  let last = 0;
  const visit = (suite: JsonSuite) => {
    suite.suites?.forEach(visit);
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        // The log's ten original summary rows (connection, tables, health, auth), not the catalog and security checks.
        if (!t.annotations.some((a) => a.type === LOG_PLACE_ANNOTATION && TABLE_ROWS.has(a.description?.replace(/^summary-row:/, '') ?? ''))) continue;
        const result = t.results.at(-1);
        if (!result) continue;
        const m = result.attachments.find((a) => a.name === MEASUREMENT_ATTACHMENT);
        sum += m?.body ? (JSON.parse(Buffer.from(m.body, 'base64').toString()) as { durationMs: number }).durationMs : result.duration;
        const start = Date.parse(result.startTime);
        first = Math.min(first, start);
        last = Math.max(last, start + result.duration);
      }
    }
  };
  report.suites.forEach(visit);
  return { sum, wall: last - first };
}

/** A cold run as the "Main job" figures need it: wall time, peak memory, the table checks' times. */
async function benchSmokeRun(): Promise<SmokeRun> {
  const run = await coldSmokeRun();
  const t = tableCheckTimes(path.join(run.outputDir, 'results.json'));
  return { wallMs: run.wallMs, peakBytes: run.peakBytes, code: run.code, tableSumMs: t.sum, tableWallMs: t.wall };
}

interface OverheadRun {
  withMs: number;
  withoutMs: number;
  /** Time the reporters spent in onEnd (rendering and writing), in the run with them, and without. */
  withOnEndMs: number;
  withoutOnEndMs: number;
}

/**
 * The reporters' cost: the same smoke run against one running sandbox (scripts/bench/reporters.config.ts), with
 * the configured reporters (console, JSON, JUnit, Allure, summary.json, promotion log, redaction) and with the
 * console reporter alone. The two kinds alternate, so drift on a busy machine falls on both alike; each run
 * writes a new log from the template.
 */
async function reporterOverhead(runs: number): Promise<OverheadRun[]> {
  const sandbox = await startSandbox({ port: 0 });
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const once = (withReporters: boolean): Promise<{ wallMs: number; onEndMs: number }> => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reporters-'));
    const marks = path.join(dir, 'marks.json');
    const started = performance.now();
    const child = spawn(process.execPath, [cli, 'test', '-c', path.join(ROOT, 'scripts/bench/reporters.config.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...sandbox.env,
        BENCH_REPORTERS: withReporters ? 'all' : 'console',
        BENCH_MARKS: marks,
        SMOKE_OUTPUT_DIR: path.join(dir, 'test-results'),
        PROMOTION_LOG: path.join(dir, 'log.md'),
        FORCE_COLOR: '0',
      },
      stdio: 'ignore',
    });
    return new Promise((resolve, reject) =>
      child.on('close', (code) => {
        if (code !== 0) return reject(new Error(`bench: overhead run exited ${code}`));
        const wallMs = performance.now() - started;
        resolve({ wallMs, onEndMs: (JSON.parse(readFileSync(marks, 'utf8')) as { onEndMs: number }).onEndMs });
      }),
    );
  };
  try {
    const out: OverheadRun[] = [];
    for (let i = 0; i < runs; i++) {
      const first = i % 2 === 0;
      const a = await once(first);
      const b = await once(!first);
      const [w, wo] = first ? [a, b] : [b, a];
      out.push({ withMs: w.wallMs, withoutMs: wo.wallMs, withOnEndMs: w.onEndMs, withoutOnEndMs: wo.onEndMs });
      console.error(`  pair ${i + 1}: with ${fmt(w.wallMs)} (onEnd ${fmt(w.onEndMs)}), without ${fmt(wo.wallMs)} (onEnd ${fmt(wo.onEndMs)})`);
    }
    return out;
  } finally {
    await sandbox.stop();
  }
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), { command: 'bench', flags: ['runs', 'out', 'monitor-seconds'] });
  const monitorSeconds = Number(args.flags['monitor-seconds'] ?? 300);
  if (!Number.isFinite(monitorSeconds) || monitorSeconds < 10) throw new UsageError('bench: --monitor-seconds must be a number ≥ 10');
  const runs = Number(args.flags.runs ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError('bench: --runs must be a whole number ≥ 1');
  const out = path.resolve(args.flags.out ?? path.join(ROOT, 'docs/BENCHMARKS.md'));

  console.error(`bench: sandbox time to ready × ${runs}, from the saved data dir and without it`);
  const ready = await readyTimes(runs, true);
  const readyUncached = await readyTimes(runs, false);
  console.error('bench: REST vehicles list under 20 connections');
  const rest = await restVehiclesUnderLoad(20, 10);
  console.error('bench: realtime commit to callback, 50 events, PGlite and PostgreSQL');
  const realtimePglite = await measureRealtimeLatency(50);
  const pgDb = await createTestDatabase('bench').catch(() => undefined);
  const realtimePostgres = pgDb ? await measureRealtimeLatency(50, pgDb.url).finally(() => pgDb.drop()) : undefined;
  console.error('bench: realtime commit to screen, 50 vehicles added while a browser shows the list');
  const screen = await measureCommitToScreen(50);
  console.error(`bench: monitor CPU over ${monitorSeconds} s, and autocannon against wrk`);
  const { monitorCpu, harness } = await monitorAndHarness(monitorSeconds);
  console.error(`bench: cold pnpm test:smoke × ${runs}`);
  const smokes: SmokeRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await benchSmokeRun();
    if (run.code !== 0) throw new Error(`bench: smoke run ${i + 1} exited ${run.code}; benchmarks need a passing run`);
    smokes.push(run);
    console.error(`  run ${i + 1}: ${fmt(run.wallMs)}`);
  }
  const overheadRuns = Math.max(runs, 5);
  console.error(`bench: reporter overhead, ${overheadRuns} pairs of runs with and without the reporters`);
  const overhead = await reporterOverhead(overheadRuns);
  const withMedian = median(overhead.map((o) => o.withMs));
  const withoutMedian = median(overhead.map((o) => o.withoutMs));
  const sumMedian = median(smokes.map((s) => s.tableSumMs));
  const wallMedian = median(smokes.map((s) => s.tableWallMs));

  const text = `# Benchmarks

Produced by \`pnpm bench\` (scripts/bench.ts); rerun it to refresh. Every figure below comes from the same run.

- Date: ${utcMinute()} UTC
- Machine: ${machineLine()}
- Node ${process.version}; runs per figure: ${runs}

## Main job

| figure | median | all runs |
|---|---|---|
| cold \`pnpm test:smoke\` wall time (sandbox start, every check and flow, log write) | ${fmt(median(smokes.map((s) => s.wallMs)))} | ${smokes.map((s) => fmt(s.wallMs)).join(', ')} |
| peak memory of the whole run (every process: sandbox, Playwright, workers, Chromium; summed RSS every 250 ms) | ${mib(median(smokes.map((s) => s.peakBytes)))} | ${smokes.map((s) => mib(s.peakBytes)).join(', ')} |
| the 10 table checks (connection, 7 tables, health, auth): sum of their own durations | ${fmt(sumMedian)} | ${smokes.map((s) => fmt(s.tableSumMs)).join(', ')} |
| table checks: wall time from the first start to the last end | ${fmt(wallMedian)} | ${smokes.map((s) => fmt(s.tableWallMs)).join(', ')} |

The 10 table checks run on ${process.env.SMOKE_WORKERS ?? 2} Playwright workers beside the flows and the other checks: sum ÷ wall = ${(sumMedian / wallMedian).toFixed(2)} (above 1 means they overlap;
the wall time also holds each worker's one-off sign-in and Playwright's per-test overhead).

## Sandbox

| figure | median | all runs |
|---|---|---|
| time to ready, from the saved PGlite data dir (the usual start) | ${fmt(median(ready))} | ${ready.map(fmt).join(', ')} |
| time to ready, new PGlite database (no saved data dir: initdb, schema, seed) | ${fmt(median(readyUncached))} | ${readyUncached.map(fmt).join(', ')} |

REST \`GET /rest/v1/vehicles\` (50 rows, as the smoke user, row-level security on) under 20 concurrent
connections for 10 s: ${rest.rps.toFixed(0)} requests/s, p50 ${rest.latency.p50.toFixed(1)} ms, p95 ${rest.latency.p95.toFixed(1)} ms,
p99 ${rest.latency.p99.toFixed(1)} ms, ${rest.errors} errors (${rest.latency.count} responses, every one in the histogram).

Realtime, commit to the subscriber's callback in Node (supabase-js over \`ws\`), 50 events after 5 warm-up events:

| backend | p50 | p95 | max | request to callback p50 / p95 |
|---|---|---|---|---|
${[realtimePglite, realtimePostgres]
  .flatMap((r) => (r ? [`| ${r.backend} | ${r.commitToCallback.p50} ms | ${r.commitToCallback.p95} ms | ${r.commitToCallback.max} ms | ${r.requestToCallback.p50} / ${r.requestToCallback.p95} ms |`] : []))
  .join('\n')}
${realtimePostgres ? '' : '\n(PostgreSQL not measured: no server at TEST_DATABASE_URL.)\n'}
Realtime, commit to screen: a signed-in Chromium on /vehicles (live), ${screen.n} vehicles added through the API one at a time
after 3 warm-up ones, the screen's clock stopped by a MutationObserver when the row appears:

| from | p50 | p95 | max |
|---|---|---|---|
| the row's created_at (the database's clock inside the writing transaction) | ${screen.commitToScreen.p50} ms | ${screen.commitToScreen.p95} ms | ${screen.commitToScreen.max} ms |
| sending the insert (the Vehicles List Test's start: an upper bound needing no server clock) | ${screen.sentToScreen.p50} ms | ${screen.sentToScreen.p95} ms | ${screen.sentToScreen.max} ms |

## Monitoring and load

- \`pnpm monitor\` CPU over a ${Math.round(monitorCpu.windowSeconds)} s window (measurements every 60 s, against a sandbox in
  another process): ${monitorCpu.userSeconds.toFixed(2)} s user + ${monitorCpu.systemSeconds.toFixed(2)} s system =
  ${monitorCpu.cpuPct.toFixed(2)} % of one core (its start-up and sign-in included).
- Load harness against wrk, \`${harness.url.replace(/:\d+\//, ':PORT/')}\`, ${harness.connections} connections, ${harness.seconds} s each:
  autocannon (as \`pnpm load\` runs it, with a latency sample per response) ${harness.autocannonRps.toFixed(0)} requests/s;
  ${harness.wrkRps !== undefined ? `wrk ${harness.wrkRps.toFixed(0)} requests/s; ratio ${(harness.autocannonRps / harness.wrkRps).toFixed(2)}` : harness.wrkMissing}.
  Both saturate the same single-process server; a ratio near 1 means the harness is not the bottleneck.

## Reporter overhead

The same smoke run (\`playwright test\` against one running sandbox) with the configured reporters (console,
JSON, JUnit, Allure, summary.json, promotion log with screenshots and chart, redaction of every artifact) and
with the console reporter alone, ${overheadRuns} pairs, alternating which goes first. The wall time holds the
whole run (Playwright's start, the browser, the checks, the reporters); "in onEnd" is the time between two
marker reporters placed first and last in the list, so it is what the reporters spent rendering and writing
after the last test ended. Load average when the pairs ended: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}
(1, 5, 15 min) on ${os.cpus().length} cores.

| figure | median | all runs |
|---|---|---|
| with the reporters | ${fmt(withMedian)} | ${overhead.map((o) => fmt(o.withMs)).join(', ')} |
| console reporter only | ${fmt(withoutMedian)} | ${overhead.map((o) => fmt(o.withoutMs)).join(', ')} |
| ratio with ÷ without (median of the pairs' ratios) | ${median(overhead.map((o) => o.withMs / o.withoutMs)).toFixed(3)} | ${overhead.map((o) => (o.withMs / o.withoutMs).toFixed(3)).join(', ')} |
| difference (median of the pairs' differences) | ${fmt(median(overhead.map((o) => o.withMs - o.withoutMs)))} | ${overhead.map((o) => fmt(o.withMs - o.withoutMs)).join(', ')} |
| in onEnd, with the reporters | ${fmt(median(overhead.map((o) => o.withOnEndMs)))} | ${overhead.map((o) => fmt(o.withOnEndMs)).join(', ')} |
| in onEnd, console reporter only | ${fmt(median(overhead.map((o) => o.withoutOnEndMs)))} | ${overhead.map((o) => fmt(o.withoutOnEndMs)).join(', ')} |
`;
  // The false-failures section is `pnpm bench:false-failures`'s: carried over as it is, never erased.
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  writeFileSync(out, carrySection(previous, text, FALSE_FAILURES_HEADING));
  console.error(`bench: wrote ${path.relative(process.cwd(), out)}`);
}

/** One sandbox in this process; the monitor runs in its own process against it, then the two harnesses. */
async function monitorAndHarness(monitorSeconds: number) {
  const sandbox = await startSandbox({ port: 0, faults: '' });
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-monitor-'));
    writeFileSync(
      path.join(dir, '.env.bench'),
      Object.entries(sandbox.env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const monitorCpu = await measureMonitorCpu(ROOT, dir, 'bench', monitorSeconds, Math.min(60, Math.max(5, Math.floor(monitorSeconds / 5))));
    const harness = await compareWithWrk(sandbox.baseUrl, '/api/health', 10, 10);
    return { monitorCpu, harness };
  } finally {
    await sandbox.stop();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e instanceof UsageError ? e.message : `bench: ${e.message}`}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
