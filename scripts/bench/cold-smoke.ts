/**
 * What the benchmarks share: one cold `pnpm test:smoke` run (its own temporary folder, promotion log and results,
 * the embedded sandbox started and stopped by the run itself), the figures' formatting, and the machine line.
 * Used by `pnpm bench` (scripts/bench.ts) and `pnpm bench:false-failures` (scripts/bench/false-failures.ts).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sampleTreeMemory } from './process-memory.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
export const fmt = (ms: number) => (Math.abs(ms) >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** "2026-12-04 05:59", in UTC. */
export const utcMinute = (d = new Date()) => d.toISOString().slice(0, 16).replace('T', ' ');

/** "2 × AMD EPYC, 24 GiB, linux 6.18.44": cores, CPU model, memory, platform. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`;
}

export interface ColdSmokeRun {
  /** The run's own temporary folder: `log.md` (its promotion log), `test-results/`, `output.log` when captured. */
  dir: string;
  /** SMOKE_OUTPUT_DIR of the run: results.json (Playwright's JSON), summary.json, junit.xml, traces. */
  outputDir: string;
  wallMs: number;
  /** Highest summed resident memory of the run's process tree (sandbox, Playwright, workers, browser); 0 when not sampled. */
  peakBytes: number;
  code: number | null;
  /** The run's stdout and stderr, when captured. */
  outputFile?: string;
}

export interface ColdSmokeOptions {
  /** The run's environment (default: this process's); SMOKE_OUTPUT_DIR and FORCE_COLOR are set over it. */
  env?: NodeJS.ProcessEnv;
  /** Sample the process tree's memory every 250 ms (default true). */
  sampleMemory?: boolean;
  /** Keep what the run prints in `dir/output.log` (default: discarded). */
  captureOutput?: boolean;
}

/** One cold `pnpm test:smoke` (--env=local: the run starts its own embedded sandbox) in a new temporary folder. */
export function coldSmokeRun(opts: ColdSmokeOptions = {}): Promise<ColdSmokeRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const outputDir = path.join(dir, 'test-results');
  const outputFile = opts.captureOutput ? path.join(dir, 'output.log') : undefined;
  const fd = outputFile ? openSync(outputFile, 'w') : undefined;
  const started = performance.now();
  // As package.json's test:smoke runs it: one node process with tsx's loader.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/test-smoke.ts'), `--log=${path.join(dir, 'log.md')}`], {
    cwd: ROOT,
    env: { ...(opts.env ?? process.env), SMOKE_OUTPUT_DIR: outputDir, FORCE_COLOR: '0' },
    stdio: fd === undefined ? 'ignore' : ['ignore', fd, fd],
  });
  if (fd !== undefined) closeSync(fd);
  const memory = opts.sampleMemory === false ? undefined : sampleTreeMemory(child.pid!);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const peakBytes = memory?.stop() ?? 0;
      resolve({ dir, outputDir, wallMs, peakBytes, code, ...(outputFile && { outputFile }) });
    });
  });
}
