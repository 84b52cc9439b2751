/**
 * Runs the suite's commands the way a user does (a child process, its own cwd and environment) and returns
 * what they printed and their exit code. Proofs assert on these, never on internals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * Scripts run as `node --import <tsx's loader> script`, one process, as package.json runs them. Not through the
 * `tsx` command: it is a second process that relays a signal to the script and SIGKILLs it when the script has not
 * acknowledged the signal within 30 ms, which a busy machine easily exceeds (the interrupted run's cleanup never ran).
 */
export const NODE_TS = [process.execPath, '--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href] as const;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child: the parent's, minus anything that would point the child at another target. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['SANDBOX_FAULTS', 'DATABASE_URL', 'PROMOTION_LOG', 'BASE_URL', 'SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SMOKE_USER_EMAIL', 'SMOKE_USER_PASSWORD']) {
    delete env[k];
  }
  // vitest marks its workers; the suite under test must not think it is inside vitest.
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  return { ...env, FORCE_COLOR: '0', ...extra };
}

export function runScript(script: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return collect(startScript(script, args, opts), opts.timeoutMs ?? 240_000);
}

export function startScript(script: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(NODE_TS[0], [...NODE_TS.slice(1), path.join(ROOT, script), ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(child: ChildProcess, timeoutMs: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A process and all its descendants, read from Linux's /proc at this moment. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the command name (field 2) may hold spaces and parentheses, so
      // count from the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const visit = (p: number) => {
    all.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return all;
}

/** SIGKILLs a process and every descendant at once (a crashed runner: nobody gets to clean up). */
export function killTree(pid: number): void {
  for (const p of processTree(pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** The cells of a Markdown table row whose first cell is `name` (bold markers stripped). */
export function tableRow(markdown: string, name: string): string[] | undefined {
  for (const line of markdown.split(/\r?\n/)) {
    if (!line.trim().startsWith('|')) continue;
    const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim().replace(/^\*\*|\*\*$/g, ''));
    if (cells[0]?.toLowerCase() === name.toLowerCase()) return cells;
  }
  return undefined;
}

/** The text of a `### heading` section up to the next heading of level 1–3. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => l.replace(/^#+\s*/, '').trim().toLowerCase() === heading.toLowerCase() && /^#{1,3}\s/.test(l));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && /^#{1,3}\s/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The summary's Total row says every one of at least the ten table checks passed ("✅ 12/12"). */
export function expectAllPassed(markdown: string): void {
  const total = tableRow(markdown, 'Total')?.[1] ?? '';
  const m = /^✅ (\d+)\/(\d+)$/.exec(total);
  expect(m, `Total row "${total}"`).not.toBeNull();
  expect(m![1]).toBe(m![2]);
  expect(Number(m![2])).toBeGreaterThanOrEqual(10);
}

/** Waits until a sandbox started with --env-out has written its file and answers /api/health; returns its variables. */
export async function waitForEnvFile(file: string, timeoutMs = 60_000): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const vars = Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
      );
      const health = await fetch(new URL('/api/health', vars.BASE_URL)).catch(() => undefined);
      if (health?.ok) return vars;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`sandbox did not write ${file} and answer /api/health within ${timeoutMs} ms`);
}

/**
 * Monitoring thresholds for proofs about something else than latency: triggers far above what a busy 2-core
 * machine produces, so a clean window is judged clean. Returns the path of the file written into `dir`.
 */
export const CALM_THRESHOLDS = {
  apiP95Ms: { target: 3000, trigger: 6000 },
  dbP95Ms: { target: 3000, trigger: 6000 },
  realtimeMs: { target: 3000, trigger: 6000 },
};

export function calmThresholds(dir: string): string {
  const file = path.join(dir, 'calm-thresholds.json');
  writeFileSync(file, JSON.stringify(CALM_THRESHOLDS));
  return file;
}
