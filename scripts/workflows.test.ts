/**
 * The users' CI workflows, checked for structure: what they run exists, they run it in the right order, they
 * upload evidence even when a check fails, and no step prints a secret.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { needs?: string | string[]; steps: Step[]; strategy?: { matrix?: { shard?: string[] } } }>;
}

function load(name: string): { wf: Workflow; text: string } {
  const text = readFileSync(path.join(ROOT, '.github/workflows', name), 'utf8');
  return { wf: parse(text) as Workflow, text };
}

function runs(steps: Step[]): string[] {
  return steps.flatMap((s) => (s.run ? [s.run] : []));
}

describe.each(['synthetic.yml', 'release-gate.yml'])('%s', (name) => {
  const { wf, text } = load(name);
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);

  it('runs only package scripts and files that exist', () => {
    for (const run of runs(steps)) {
      for (const m of run.matchAll(/\bpnpm (?!install|exec|history \|\|)([\w:-]+)/g)) expect(scripts, `pnpm ${m[1]}`).toHaveProperty(m[1]!);
      for (const m of run.matchAll(/\bbash (scripts\/[\w.-]+)/g)) expect(existsSync(path.join(ROOT, m[1]!)), m[1]).toBe(true);
    }
  });

  it('pins every action to a major version', () => {
    for (const s of steps.filter((s) => s.uses)) expect(s.uses, s.uses).toMatch(/^[\w-]+\/[\w-]+(\/[\w-]+)?@v\d+$/);
  });

  it('uploads its evidence even when a check fails', () => {
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.if === 'always()')).toBe(true);
  });

  it('never prints a secret', () => {
    for (const run of runs(steps)) expect(run).not.toMatch(/secrets\./);
    expect(text).not.toMatch(/echo[^\n]*\$\{\{\s*secrets\./);
  });
});

describe('synthetic.yml', () => {
  const { wf } = load('synthetic.yml');
  it('runs on a schedule and on demand, and fails when the synthetic run fails', () => {
    expect(wf.on).toHaveProperty('schedule');
    expect(wf.on).toHaveProperty('workflow_dispatch');
    const step = wf.jobs.synthetic!.steps.find((s) => s.run?.startsWith('pnpm synthetic'))!;
    expect(step.run).not.toMatch(/\|\||continue-on-error/);
  });
});

describe('release-gate.yml', () => {
  const { wf } = load('release-gate.yml');
  it('shards the smoke run, merges one log, monitors, then gates and tags in that order', () => {
    const shards = wf.jobs.smoke!.strategy!.matrix!.shard!;
    expect(shards).toEqual(shards.map((_, i) => `${i + 1}/${shards.length}`));
    expect(wf.jobs.promote!.needs).toBe('smoke');
    const order = runs(wf.jobs.promote!.steps)
      .map((r) => ['merge-reports', 'pnpm monitor', 'pnpm release:tag'].find((k) => r.includes(k)))
      .filter(Boolean);
    expect(order).toEqual(['merge-reports', 'pnpm monitor', 'pnpm release:tag']);
  });
});
