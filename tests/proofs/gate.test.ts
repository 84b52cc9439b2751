/**
 * The release gate on real runs: smoke + monitoring window on the sandbox → gate passes and release:tag tags;
 * a failed smoke check → gate fails naming it, and no tag is created.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calmThresholds, runScript, tempDir } from './run-cli.ts';

async function smokeAndMonitor(faults?: string) {
  const dir = tempDir('gate-proof');
  const log = path.join(dir, 'log.md');
  const out = path.join(dir, 'test-results');
  const smoke = await runScript('scripts/test-smoke.ts', [`--log=${log}`], { env: { SMOKE_OUTPUT_DIR: out, ...(faults ? { SANDBOX_FAULTS: faults } : {}) } });
  const monitor = await runScript('scripts/monitor.ts', ['--duration=6s', '--interval=1s', '--time-scale=600', '--samples=6', `--thresholds=${calmThresholds(dir)}`, `--log=${log}`]);
  return { dir, log, summary: path.join(out, 'summary.json'), smoke, monitor };
}

describe('pnpm gate and pnpm release:tag', () => {
  it('pass after a clean run and window, and create the annotated tag', async () => {
    const run = await smokeAndMonitor();
    expect(run.smoke.code, run.smoke.stderr).toBe(0);
    expect(run.monitor.code, run.monitor.stderr).toBe(0);
    const gate = await runScript('scripts/gate.ts', [`--log=${run.log}`, `--summary=${run.summary}`]);
    expect(gate.code, gate.stdout + gate.stderr).toBe(0);
    expect(gate.stdout).toMatch(/^gate: PASSED/);

    const repo = tempDir('gate-repo');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '--allow-empty', '-m', 'release');
    const tag = await runScript('scripts/release-tag.ts', ['v1.2.3', `--log=${run.log}`, `--summary=${run.summary}`], {
      cwd: repo,
      env: { GIT_COMMITTER_NAME: 'CI', GIT_COMMITTER_EMAIL: 'ci@example.com', GIT_AUTHOR_NAME: 'CI', GIT_AUTHOR_EMAIL: 'ci@example.com' },
    });
    expect(tag.code, tag.stdout + tag.stderr).toBe(0);
    expect(git('cat-file', '-t', 'v1.2.3')).toBe('tag');
    expect(git('tag', '-l', '--format=%(contents:subject)', 'v1.2.3')).toBe('Release v1.2.3 - Marsana Fleet');
  });

  it('fail after a failed check, listing it, and refuse the tag', async () => {
    const run = await smokeAndMonitor('rls_hide=vehicles');
    expect(run.smoke.code).toBe(1);
    const gate = await runScript('scripts/gate.ts', [`--log=${run.log}`, `--summary=${run.summary}`]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain('- check failed: Vehicles Table (0 rows visible)');
    const repo = tempDir('gate-repo');
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const tag = await runScript('scripts/release-tag.ts', ['v1.2.4', `--log=${run.log}`, `--summary=${run.summary}`], { cwd: repo });
    expect(tag.code).toBe(1);
    expect(execFileSync('git', ['tag', '-l'], { cwd: repo, encoding: 'utf8' }).trim()).toBe('');
  });

  it('refuse bad input with exit 2', async () => {
    const tag = await runScript('scripts/release-tag.ts', ['1.2']);
    expect(tag.code).toBe(2);
    expect(tag.stderr.trim()).toBe('release:tag: "1.2" is not a release tag like v1.2.3');
  });
});
