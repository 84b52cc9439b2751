/**
 * A run split across two machines with Playwright's sharding, merged with `merge-reports`, writes the same
 * promotion log and summary.json as an unsharded run (times, durations and run ids aside). Both runs target
 * one running sandbox; each shard has its own output folders, as separate CI machines would.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../sandbox/src/index.ts';
import { playwright } from './artifacts.ts';
import { tempDir } from './run-cli.ts';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.stop();
});

/** The log with what differs between two runs of the same checks replaced: times, durations, run ids. */
function normalizeLog(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC/g, '<time>')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<duration>')
    .replace(/smoke-\d{8}T\d{6}Z-[0-9a-f]{6}/g, '<run>');
}

function normalizeSummary(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'), (key, value: unknown) =>
    ['startedAt', 'finishedAt', 'durationMs', 'samplesMs', 'latency', 'runId'].includes(key) ? '<varies>' : value,
  );
}

describe('a sharded run merged with merge-reports', () => {
  it('writes the same promotion log and summary.json as an unsharded run', async () => {
    const dir = tempDir('sharded-proof');
    // Read-only: the write flows add and remove rows that the table checks count while they run, so two runs
    // of them can differ by a row, sharded or not; every read-only check and flow must come out the same.
    const target = { ...sandbox.env, SMOKE_ENV: 'local', SMOKE_ALLOW_WRITES: '0' };
    const out = (name: string) => ({ SMOKE_OUTPUT_DIR: path.join(dir, name, 'test-results') });

    const single = await playwright(['test'], { ...target, ...out('single'), PROMOTION_LOG: path.join(dir, 'single/log.md') });
    expect(single.code, single.stdout + single.stderr).toBe(0);

    for (const shard of [1, 2]) {
      const run = await playwright(['test', `--shard=${shard}/2`], {
        ...target,
        ...out(`machine-${shard}`),
        SMOKE_SHARDED: '1',
        SMOKE_BLOB_DIR: path.join(dir, `machine-${shard}/blob-report`),
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      // A shard writes no log of its own: only its blob.
      expect(fs.existsSync(path.join(dir, `machine-${shard}/log.md`))).toBe(false);
      const blobs = fs.readdirSync(path.join(dir, `machine-${shard}/blob-report`));
      expect(blobs).toEqual([`report-${shard}.zip`]);
      fs.mkdirSync(path.join(dir, 'all-blob-reports'), { recursive: true });
      fs.copyFileSync(path.join(dir, `machine-${shard}/blob-report`, blobs[0]!), path.join(dir, 'all-blob-reports', blobs[0]!));
    }
    const merge = await playwright(['merge-reports', path.join(dir, 'all-blob-reports')], {
      ...target,
      ...out('merged'),
      PROMOTION_LOG: path.join(dir, 'merged/log.md'),
    });
    expect(merge.code, merge.stdout + merge.stderr).toBe(0);

    const singleLog = fs.readFileSync(path.join(dir, 'single/log.md'), 'utf8');
    const mergedLog = fs.readFileSync(path.join(dir, 'merged/log.md'), 'utf8');
    expect(mergedLog).toMatch(/\| \*\*Total\*\* \| \*\*✅ \d+\/\d+\*\* \|/);
    expect(mergedLog).not.toContain('| ❌ |');
    expect(normalizeLog(mergedLog)).toBe(normalizeLog(singleLog));
    expect(normalizeSummary(path.join(dir, 'merged/test-results/summary.json'))).toEqual(normalizeSummary(path.join(dir, 'single/test-results/summary.json')));
    for (const shot of fs.readdirSync(path.join(dir, 'single/screenshots'))) {
      expect(fs.existsSync(path.join(dir, 'merged/screenshots', shot)), shot).toBe(true);
    }
    // JUnit and Allure results of the whole run come from the merge too.
    const tests = (file: string) => /<testsuites [^>]*tests="(\d+)"/.exec(fs.readFileSync(file, 'utf8'))?.[1];
    expect(tests(path.join(dir, 'merged/test-results/junit.xml'))).toBe(tests(path.join(dir, 'single/test-results/junit.xml')));
    const allure = (name: string) => fs.readdirSync(path.join(dir, name, 'test-results/allure-results')).filter((f) => f.endsWith('-result.json')).length;
    expect(allure('merged')).toBe(allure('single'));
    expect(allure('merged')).toBeGreaterThanOrEqual(13);
  });
});
