import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RUN_MS, registerRun, runIsOver, runStartedAt } from './run-registry.ts';

describe('run registry', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'run-registry-'));

  it('a run of this machine is over exactly when its process is gone', () => {
    const done = registerRun('smoke-20261204T040000Z-aaaaaa', dir);
    expect(runIsOver('smoke-20261204T040000Z-aaaaaa', new Date('2026-12-04T06:00:00Z'), dir)).toBe(false);
    done();
    // A process that has exited: its pid is free.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, 'smoke-20261204T040000Z-bbbbbb.json'), JSON.stringify({ pid: Number(gone.stdout) }));
    expect(runIsOver('smoke-20261204T040000Z-bbbbbb', new Date('2026-12-04T04:00:05Z'), dir)).toBe(true);
  });

  it('a killed run whose process is a zombie (dead, not yet reaped) is over', async () => {
    // The subshell exits after its parent has exec'd `sleep`, which never reaps it: a zombie while sleep sleeps.
    const parent = spawn('sh', ['-c', '(sleep 0.2) & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))));
      const state = () => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch {
          return 'gone';
        }
      };
      await expect.poll(state, { timeout: 8_000 }).toBe('Z');
      writeFileSync(path.join(dir, 'smoke-20261204T040000Z-dddddd.json'), JSON.stringify({ pid }));
      expect(runIsOver('smoke-20261204T040000Z-dddddd', new Date('2026-12-04T04:00:05Z'), dir)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('a run this machine does not know is over only once it is older than any run lasts', () => {
    const started = runStartedAt('smoke-20261204T040000Z-cccccc')!;
    expect(started.toISOString()).toBe('2026-12-04T04:00:00.000Z');
    expect(runIsOver('smoke-20261204T040000Z-cccccc', new Date(started.getTime() + MAX_RUN_MS - 1_000), dir)).toBe(false);
    expect(runIsOver('smoke-20261204T040000Z-cccccc', new Date(started.getTime() + MAX_RUN_MS + 1_000), dir)).toBe(true);
    expect(runIsOver('local-12345', new Date(), dir)).toBe(false);
  });
});
