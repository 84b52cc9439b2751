/**
 * Kills a process that writes the promotion log, many times and at random moments, and checks after every kill
 * that the log is exactly the old or the new version, never a mix, and that the next writer gets the lock back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mixedRun, NOW, passedRun, screenshotLinks } from './__fixtures__/results.ts';
import { writePromotionLog } from './log-file.ts';
import { renderPromotionLog } from './render.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOG = fs.readFileSync(new URL('./__fixtures__/promotion-log.md', import.meta.url), 'utf8');
const render = (run = passedRun()) => renderPromotionLog(LOG, run, { now: NOW, screenshotLinks: screenshotLinks(run) }).text;
// Two real versions of one log: a kill must leave one of them, byte for byte.
const OLD = render(passedRun());
const NEW = render(mixedRun());
const KILLS = 20;

/** Writes the log in a loop, flipping it between OLD and NEW, and says "wrote" after each write. */
const WRITER = `
import fs from 'node:fs';
import { writePromotionLog } from ${JSON.stringify(path.join(ROOT, 'reporters/promotion-log/log-file.ts'))};
const [file, oldFile, newFile] = process.argv.slice(2);
const OLD = fs.readFileSync(oldFile, 'utf8');
const NEW = fs.readFileSync(newFile, 'utf8');
for (;;) {
  await writePromotionLog(file, (text) => {
    if (text !== OLD && text !== NEW) {
      process.stderr.write('found a log that is neither version\\n');
      process.exit(3);
    }
    return text === OLD ? NEW : OLD;
  }, { lockStaleMs: 2000, lockWaitMs: 20000 });
  process.stdout.write('wrote\\n');
}
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promotion-log-crash-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function startWriter(file: string): { child: ChildProcess; writes: () => number } {
  // node itself with tsx's loader: the tsx command runs scripts in a child process, which SIGKILL would orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'writer.mts'), file, path.join(dir, 'old.md'), path.join(dir, 'new.md')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let writes = 0;
  child.stdout!.on('data', (c: Buffer) => (writes += c.toString().split('wrote').length - 1));
  child.stderr!.on('data', (c: Buffer) => process.stderr.write(c));
  children.push(child);
  return { child, writes: () => writes };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe('writePromotionLog killed mid-write', () => {
  it(`leaves the old or the new log after each of ${KILLS} SIGKILLs, and the next writer recovers the lock`, async () => {
    const file = path.join(dir, 'log.md');
    fs.writeFileSync(path.join(dir, 'writer.mts'), WRITER);
    fs.writeFileSync(path.join(dir, 'old.md'), OLD);
    fs.writeFileSync(path.join(dir, 'new.md'), NEW);
    fs.writeFileSync(file, OLD);
    const seen = new Set<string>();
    let totalWrites = 0;

    for (let i = 0; i < KILLS; i++) {
      const writer = startWriter(file);
      const exited = new Promise<number | null>((r) => writer.child.once('exit', (code) => r(code)));
      // Each writer must get the lock back from the one killed before it (stale after 2 s) and write.
      await waitFor(() => writer.writes() > 0 || writer.child.exitCode !== null, 30_000);
      expect(writer.child.exitCode, 'the writer found a torn log').toBeNull();
      // Then a random moment inside its loop: before, during or after a write, rename or backup.
      await sleep(Math.random() * 150);
      writer.child.kill('SIGKILL');
      await exited;
      totalWrites += writer.writes();

      const text = fs.readFileSync(file, 'utf8');
      expect(text === OLD || text === NEW, `after kill ${i + 1} the log is neither version`).toBe(true);
      seen.add(text === OLD ? 'old' : 'new');
      const backup = fs.readFileSync(`${file}.bak`, 'utf8');
      expect(backup === OLD || backup === NEW, `after kill ${i + 1} the backup is neither version`).toBe(true);
    }
    expect(totalWrites).toBeGreaterThan(KILLS);
    expect(seen).toEqual(new Set(['old', 'new']));

    // A last writer in this process: takes the stale lock, cleans the dead writers' temporary files, writes.
    const before = fs.readFileSync(file, 'utf8');
    await writePromotionLog(file, (text) => (text === OLD ? NEW : OLD), { lockStaleMs: 2000 });
    expect(fs.readFileSync(file, 'utf8')).toBe(before === OLD ? NEW : OLD);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-') || n.endsWith('.lock'))).toEqual([]);
  }, 240_000);
});
