/**
 * Faults switched on in the middle of a monitoring window turn exactly the rows they affect and fire exactly
 * the matching rollback triggers. One running sandbox (as --env=mine), its faults flipped through the
 * service-role switchboard once the window's first row is written.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALM_THRESHOLDS, runScript, section, startScript, tempDir, waitForEnvFile } from './run-cli.ts';

let dir: string;
let sandbox: ChildProcess;
let vars: Record<string, string>;

async function setFaults(faults: string): Promise<void> {
  const res = await fetch(new URL('/__sandbox/faults', vars.BASE_URL), {
    method: 'PUT',
    headers: { authorization: `Bearer ${vars.SUPABASE_SERVICE_ROLE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ faults }),
  });
  expect(res.status, await res.text()).toBe(200);
}

beforeAll(async () => {
  dir = tempDir('monitor-faults');
  sandbox = startScript('sandbox/cli.ts', ['--port=0', `--env-out=${path.join(dir, '.env.mine')}`]);
  vars = await waitForEnvFile(path.join(dir, '.env.mine'));
});

afterAll(async () => {
  sandbox.kill('SIGTERM');
  await new Promise((r) => sandbox.once('close', r));
});

/**
 * Runs a window of four measurements (rows 0–30 min), switching `faults` on after the first row. The latency
 * triggers sit far above a busy machine's noise, except the one `thresholds` tightens for the metric under test
 * (with a wide margin between that trigger and the fault).
 */
async function windowWithFault(faults: string, thresholds: object = {}): Promise<{ code: number | null; text: string; out: string; log: string }> {
  await setFaults('');
  const slug = faults.replace(/\W+/g, '-');
  const log = path.join(dir, `log-${slug}.md`);
  writeFileSync(path.join(dir, `thresholds-${slug}.json`), JSON.stringify({ ...CALM_THRESHOLDS, ...thresholds }));
  const monitor = startScript(
    'scripts/monitor.ts',
    ['--env=mine', '--duration=6s', '--interval=2s', '--time-scale=300', '--samples=4', `--thresholds=thresholds-${slug}.json`, `--log=${log}`],
    { cwd: dir },
  );
  let out = '';
  let switched: Promise<void> | undefined;
  monitor.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    if (!switched && /^0 min:/m.test(out)) switched = setFaults(faults);
  });
  monitor.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => monitor.once('close', r));
  await switched;
  await setFaults('');
  return { code, text: readFileSync(log, 'utf8'), out, log };
}

/** The Status cell of each measured row of a monitoring table, by time. */
function statuses(text: string, table: string): Record<string, string> {
  const rows = section(text, table).split('\n').filter((l) => /^\| \d+ min \|/.test(l));
  return Object.fromEntries(
    rows.map((r) => {
      const cells = r.split('|').map((c) => c.trim());
      const status = cells.find((c) => ['✅', '⚠️', '❌', '⏳'].includes(c)) ?? cells.slice(2).join(' ');
      return [cells[1]!, status];
    }),
  );
}

function ticked(text: string): string[] {
  return [...section(text, 'Rollback Triggers').matchAll(/^- \[x\] (.+)$/gim)].map((m) => m[1]!);
}

describe('pnpm monitor with a fault switched on mid-window', () => {
  it('api_slow: API latency rows turn ❌ and "API latency" fires; error rate and realtime stay green', async () => {
    const run = await windowWithFault('api_slow=1000', { apiP95Ms: { target: 300, trigger: 600 } });
    expect(run.code, run.out).toBe(1);
    expect(statuses(run.text, 'API Latency Monitoring')['0 min']).not.toBe('❌');
    expect(statuses(run.text, 'API Latency Monitoring')['30 min']).toBe('❌');
    expect(Object.values(statuses(run.text, 'Error Rate Monitoring'))).not.toContain('❌');
    expect(Object.values(statuses(run.text, 'Real-time Latency Monitoring'))).not.toContain('❌');
    expect(ticked(run.text).map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(['API latency']);
    // The gate reads the fired trigger from the log and refuses the release.
    const gate = await runScript('scripts/gate.ts', [`--log=${run.log}`], { cwd: dir });
    expect(gate.code).toBe(1);
    expect(gate.stdout).toMatch(/^- rollback trigger fired: API latency/m);
  });

  it('api_errors: error rate rows turn ❌ and "Error rate" fires; latency rows stay green', async () => {
    const run = await windowWithFault('api_errors=50');
    expect(run.code, run.out).toBe(1);
    expect(statuses(run.text, 'Error Rate Monitoring')['0 min']).toBe('✅');
    expect(statuses(run.text, 'Error Rate Monitoring')['30 min']).toBe('❌');
    expect(Object.values(statuses(run.text, 'API Latency Monitoring'))).not.toContain('❌');
    expect(ticked(run.text).map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(['Error rate']);
  });

  it('realtime_slow: realtime rows turn ❌ and "Real-time latency" fires; API rows stay green', async () => {
    const run = await windowWithFault('realtime_slow=1200', { realtimeMs: { target: 200, trigger: 400 } });
    expect(run.code, run.out).toBe(1);
    expect(statuses(run.text, 'Real-time Latency Monitoring')['30 min']).toBe('❌');
    expect(Object.values(statuses(run.text, 'API Latency Monitoring'))).not.toContain('❌');
    expect(Object.values(statuses(run.text, 'Error Rate Monitoring'))).not.toContain('❌');
    expect(ticked(run.text).map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(['Real-time latency']);
  });

  it('rls_off: tenants see each other\'s rows, "Security breach detected" fires and the status says roll back', async () => {
    const run = await windowWithFault('rls_off=vehicles');
    expect(run.code, run.out).toBe(1);
    expect(ticked(run.text).map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(['Security breach']);
    expect(run.text).toMatch(/another tenant/);
    expect(run.text).toMatch(/\*\*Rollback Status\*\*: ❌ ROLLBACK/);
  });

  it('health_down long enough: "API completely unavailable" fires and the status says roll back', async () => {
    const run = await windowWithFault('health_down');
    expect(run.code, run.out).toBe(1);
    expect(ticked(run.text).some((t) => t.startsWith('API completely unavailable'))).toBe(true);
    expect(run.text).toMatch(/\*\*Rollback Status\*\*: ❌ ROLLBACK/);
  });
});
