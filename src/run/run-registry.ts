/**
 * Which smoke runs are over, for the sweep of their leftovers. A run registers itself on this machine (its id and
 * pid, in the temp folder) while it runs; a registered run whose process is gone was killed. A run this machine
 * does not know (another runner, or a cleaned temp folder) counts as over once it is older than any run lasts, so
 * a scheduled run on another machine never has its data swept from under it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Longer than any smoke run takes; a foreign run younger than this may still be writing. */
export const MAX_RUN_MS = 30 * 60_000;

const registry = (dir = path.join(os.tmpdir(), 'marsana-smoke-runs')) => dir;
const fileOf = (dir: string, runId: string) => path.join(dir, `${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);

/** Records this process as the run's owner; the returned function removes the record (the run ended normally). */
export function registerRun(runId: string, dir = registry()): () => void {
  mkdirSync(dir, { recursive: true });
  const file = fileOf(dir, runId);
  writeFileSync(file, JSON.stringify({ runId, pid: process.pid }));
  return () => rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists, it is just not ours.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !zombie(pid);
}

/**
 * A killed process whose parent died with it stays a zombie until something reaps it, and signal 0 still reaches
 * a zombie; in a container whose first process does not reap, that is forever. Linux says so in /proc; elsewhere
 * (no /proc) a process that takes signals counts as alive.
 */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which may itself hold spaces and parentheses: read after the last ')'.
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** When the run began, from its id (`smoke-20261203T183012Z-3f9a1c`); undefined for other shapes. */
export function runStartedAt(runId: string): Date | undefined {
  const m = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(runId);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

export function runIsOver(runId: string, now = new Date(), dir = registry()): boolean {
  let pid: number | undefined;
  try {
    pid = (JSON.parse(readFileSync(fileOf(dir, runId), 'utf8')) as { pid?: number }).pid;
  } catch {
    pid = undefined;
  }
  if (typeof pid === 'number') {
    if (alive(pid)) return false;
    rmSync(fileOf(dir, runId), { force: true });
    return true;
  }
  const started = runStartedAt(runId);
  return started !== undefined && now.getTime() - started.getTime() > MAX_RUN_MS;
}
