/**
 * The detection matrix (issue 7, item 1): one sandbox, and for every fault it has (sandbox/src/faults.ts) one
 * `pnpm test:smoke` run with that fault switched on and no retry. Each run fails exactly the checks
 * tests/proofs/detection-expectations.ts says, with a reason matching it, skips ("blocked") exactly those it says,
 * and passes every other check it ran; a fault the smoke suite is not meant to catch leaves the run green. A clean run
 * passes all of them. docs/detection.md is generated from the same table (scripts/detection-doc.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../sandbox/src/faults.ts';
import { startSandbox } from '../../sandbox/src/index.ts';
import { ALL_CHECKS, FAILED_ELSEWHERE, MATRIX, outcomeOf, SCOPES, type MatrixRow } from './detection-expectations.ts';
import { runScript, tempDir } from './run-cli.ts';

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dir = tempDir('detection-matrix');
  const env = Object.entries(sandbox.env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  writeFileSync(path.join(dir, '.env.matrix'), env.join('\n'), { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
});

interface SummaryCheck {
  name: string;
  status: string;
  notes: string | null;
  error: string | null;
}

async function smoke(row: MatrixRow) {
  const label = row.fault;
  const out = path.join(dir, `results-${label}`);
  const grep = SCOPES[row.scope].grep;
  await sandbox.faults.replace(row.spec);
  try {
    const run = await runScript('scripts/test-smoke.ts', ['--env=matrix', `--log=${path.join(dir, `${label}.md`)}`, ...(grep ? ['--', '--grep', grep] : [])], {
      cwd: dir,
      env: { SMOKE_OUTPUT_DIR: out, SMOKE_RETRIES: '0' },
    });
    const file = path.join(out, 'summary.json');
    const checks = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { checks: SummaryCheck[] }).checks : undefined;
    return { ...run, checks };
  } finally {
    await sandbox.faults.replace('');
  }
}

/** A check's reason as the log shows it: its notes (the failure's first line, or the skip's reason), else its error. */
const reasonOf = (c: SummaryCheck) => (c.notes || (c.error ?? '')).replace(/^CheckFailed: /, '');

describe('the detection matrix', () => {
  it('has one row for every fault of the sandbox, and every check is failed by a row or named with the proof that fails it', () => {
    const rows = MATRIX.filter((r) => r.fault !== 'clean');
    expect(rows.map((r) => r.fault).sort()).toEqual(Object.keys(FAULTS).sort());
    for (const row of rows) {
      expect(row.spec.split('=')[0], row.fault).toBe(row.fault);
      expect(!!row.caughtBy, `${row.fault}: a row fails a check, stops the run, or names who catches it`).toBe(
        !row.fails && !row.blocked && !row.stopsBeforeChecks,
      );
    }
    const caught = new Set(MATRIX.flatMap((r) => Object.keys(r.fails ?? {})));
    expect(ALL_CHECKS.filter((c) => !caught.has(c)).sort()).toEqual(Object.keys(FAILED_ELSEWHERE).sort());
  });

  for (const row of MATRIX) {
    const title = row.fault === 'clean' ? 'a clean run passes all 29 checks' : `${row.spec}: ${describeRow(row)}`;
    it(title, async () => {
      const run = await smoke(row);
      const context = `${row.spec || 'clean'}: exit ${run.code}\n${run.stderr}`;
      if (row.stopsBeforeChecks) {
        expect(run.code, context).toBe(2);
        expect(run.stderr.trim().split('\n'), context).toHaveLength(1);
        expect(run.stderr.trim()).toMatch(row.stopsBeforeChecks);
        expect(run.checks, 'no summary.json: nothing ran').toBeUndefined();
        return;
      }
      expect(run.checks, context).toBeDefined();
      const byName = new Map(run.checks!.map((c) => [c.name, c]));
      const ran = SCOPES[row.scope].checks;
      // The run ran exactly the checks of its scope (a new check makes the matrix fail until it has a column).
      expect([...byName.keys()].sort(), context).toEqual([...ran].sort());

      const want: Record<string, string> = {};
      const seen: Record<string, string> = {};
      for (const check of ran) {
        const outcome = outcomeOf(row, check);
        const c = byName.get(check)!;
        want[check] = outcome.kind === 'fails' ? 'failed' : outcome.kind === 'blocked' ? 'skipped' : 'passed';
        seen[check] = c.status;
        if (outcome.kind === 'fails' || outcome.kind === 'blocked') {
          if (c.status === want[check]) expect(reasonOf(c), `${row.spec}: ${check}`).toMatch(outcome.reason);
        }
      }
      const reasons = run.checks!.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.status}: ${reasonOf(c)}`);
      expect(seen, `${context}\n${reasons.join('\n')}`).toEqual(want);
      expect(run.code, context).toBe(Object.keys(row.fails ?? {}).length > 0 ? 1 : 0);
    }, 240_000);
  }
});

function describeRow(row: MatrixRow): string {
  if (row.stopsBeforeChecks) return 'the pre-flight stops the run (exit 2)';
  const fails = Object.keys(row.fails ?? {});
  const blocked = Object.keys(row.blocked ?? {});
  if (fails.length === 0) return 'the smoke run stays green (caught elsewhere)';
  return `fails ${fails.length <= 3 ? fails.join(', ') : `${fails.length} checks`}${blocked.length ? `, blocks ${blocked.length}` : ''}, passes the rest`;
}
