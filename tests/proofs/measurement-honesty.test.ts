/**
 * Measurement honesty: the p95s `pnpm monitor` and `pnpm load` report, checked against independent timings of
 * the same requests and events. With `api_slow` at 50, 200 and 500 ms and `realtime_slow` at 100 ms, each
 * reported p95 must lie within max(2 ms, 2%) of the true one.
 *
 * The true figures, measured outside the suite:
 * - HTTP: on the wire, by a packet capture of the sandbox's port on loopback (./wire-capture.ts, tcpdump), from
 *   the packet that carried a request's first bytes to the packet that carried its response's last bytes, as the
 *   kernel stamped them passing the interface; for exactly the requests the monitor's API probe or the load
 *   harness sent (found by their User-Agent, which carries the run id). No process's scheduling is in that clock:
 *   not the sandbox's (a request that comes while its event loop is busy with its embedded database waits on the
 *   wire, inside the truth), and not ours. The sandbox's own record of each probe request (same path, in the
 *   same order) must be no longer than the wire's: a bound on the capture, which would catch a response's last
 *   packet missing or a request's first one found late.
 * - realtime: by the sandbox, from the change's commit (its `commit_timestamp`) to just before its event frame
 *   is written to the subscriber's socket.
 * The monitor's own clocks (docs/measurement.md) run from its request's hand-over to its connection to the read
 * that brought the response's last bytes, and from the commit to the read of the event's frame: they also hold
 * the loopback transfer and the wake-up of the monitor's process, so they may only be longer than the true
 * figures by a little, never shorter.
 *
 * The HTTP cases need tcpdump and the right to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN);
 * `SKIP_CAPTURE_PROOFS=1` skips them where neither can be had.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../../src/synthetic/history.ts';
import type { HttpExchange } from './pcap.ts';
import { captureUnavailable, startWireCapture } from './wire-capture.ts';
import { CALM_THRESHOLDS, runScript, section, startScript, tempDir, waitForEnvFile } from './run-cli.ts';

interface Timings {
  requests: { method: string; url: string; userAgent: string; status: number; arrivedAt: number; finishedAt: number }[];
  deliveries: { topic: string; table: string; type: string; committedAt: number; sentAt: number }[];
}

/**
 * Samples per measurement (`--samples`; the realtime probe writes a quarter as many). More than the monitor's
 * 20: the nearest-rank p95 of 20 is the 19th, so two requests of the twenty held up in our own process (this
 * virtual machine deschedules a process for 1–7 ms now and then) move it by that much, which is the measuring
 * machine's noise, not the method's. The p95 of 120 takes seven such requests to move; at 50 ms the band is 2 ms
 * (the monitor's own share of a request, measured against the wire, is 0.25 ms at the median, with one request
 * in fifty or so held up 1–7 ms), so that case gets the most.
 */
const SAMPLES: Record<number, number> = { 50: 120, 200: 40, 500: 40 };
/**
 * Realtime events a measurement: 120, as for the API at 50 ms. Its band is 2.2 ms and its own share larger (the
 * monitor's wake-up, the frame's parsing, two processes' time-of-day clocks); with 60 events the realtime p95
 * came within 0.4 ms of its band once in ten measurements.
 */
const REALTIME_EVENTS = 120;
/** Two measurements a window (at 0 and 1 s, logged as 0 and 1 min: --time-scale=60), each a row of the log. */
const CYCLES = 2;
const ROWS = ['0 min', '1 min'];

let dir: string;
let sandbox: ChildProcess;
let vars: Record<string, string>;
/** the sandbox's port, whose traffic the capture records */
let port: number;

const SKIP_CAPTURE = process.env.SKIP_CAPTURE_PROOFS === '1';

async function control(what: 'faults' | 'timings', method: 'GET' | 'PUT', body?: object): Promise<unknown> {
  const res = await fetch(new URL(`/__sandbox/${what}`, vars.BASE_URL), {
    method,
    headers: { authorization: `Bearer ${vars.SUPABASE_SERVICE_ROLE_KEY}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text);
}

beforeAll(async () => {
  dir = tempDir('measurement-honesty');
  sandbox = startScript('sandbox/cli.ts', ['--port=0', `--env-out=${path.join(dir, '.env.mine')}`]);
  vars = await waitForEnvFile(path.join(dir, '.env.mine'));
  port = Number(new URL(vars.BASE_URL!).port);
  if (!SKIP_CAPTURE) {
    const why = await captureUnavailable();
    if (why) throw new Error(`${why}; the HTTP cases of this proof time the wire with it (or set SKIP_CAPTURE_PROOFS=1)`);
  }
  // The same target without writes: the monitor then measures the API alone (no realtime probe writing slowly).
  const readOnly = readFileSync(path.join(dir, '.env.mine'), 'utf8').replace(/^SMOKE_ALLOW_WRITES=.*$/m, 'SMOKE_ALLOW_WRITES=0');
  writeFileSync(path.join(dir, '.env.readonly'), readOnly);
  writeFileSync(path.join(dir, 'thresholds.json'), JSON.stringify(CALM_THRESHOLDS));
  // One window measured and thrown away, so that no measured one is the first of its kind (the first monitor
  // run of a fresh checkout compiles every module it loads; the sandbox runs its paths cold). In two
  // clean-checkout CI runs without it, the first measured case failed, and only that one.
  await monitorWindow('api_slow=50', 'readonly', 40, !SKIP_CAPTURE);
}, 180_000);

afterAll(async () => {
  sandbox.kill('SIGTERM');
  await new Promise((r) => sandbox.once('close', r));
});

interface Window {
  runId: string;
  out: string;
  log: string;
  /** the sandbox's record */
  timings: Timings;
  /** the exchanges on the wire, when captured */
  wire: HttpExchange[];
}

/**
 * One monitoring window of two measurements with `faults` on, recorded by the sandbox from start to end, and on
 * the wire when `capture` is set.
 */
async function monitorWindow(faults: string, env: 'mine' | 'readonly', samples: number, capture = false): Promise<Window> {
  await control('faults', 'PUT', { faults });
  await control('timings', 'PUT', { recording: true });
  const wire = capture ? await startWireCapture(port) : undefined;
  const slug = `${faults}-${env}`.replace(/\W+/g, '-');
  const log = path.join(dir, `log-${slug}.md`);
  const monitor = startScript(
    'scripts/monitor.ts',
    [`--env=${env}`, '--duration=1s', '--interval=1s', '--time-scale=60', `--samples=${samples}`, '--thresholds=thresholds.json', `--log=${log}`],
    { cwd: dir },
  );
  let out = '';
  monitor.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  monitor.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => monitor.once('close', r));
  const exchanges = (await wire?.stop()) ?? [];
  await control('timings', 'PUT', { recording: false });
  const timings = (await control('timings', 'GET')) as Timings;
  await control('faults', 'PUT', { faults: '' });
  expect(code, out).toBe(0);
  const runId = /^monitor (monitor-\S+):/m.exec(out)?.[1];
  expect(runId, out).toBeDefined();
  return { runId: runId!, out, log: readFileSync(log, 'utf8'), timings, wire: exchanges };
}

/** The p95s the monitor printed for each measurement (one decimal), in order. */
function printed(out: string, figure: 'API' | 'realtime'): number[] {
  return [...out.matchAll(new RegExp(`^[\\d.]+ min: .*· ${figure} p95 ([\\d.]+) ms`, 'gm'))].map((m) => Number(m[1]));
}

/** The Latency cells of this window's rows in a monitoring table (whole milliseconds from 10 ms up), in order. */
function logged(text: string, table: string): number[] {
  const lines = section(text, table).split('\n');
  return ROWS.map((time) => Number(/\| ([\d.]+)ms/.exec(lines.find((l) => l.startsWith(`| ${time} |`)) ?? '')?.[1]));
}

/** The true p95 of the API probe's requests, one per measurement (the probe sends them one at a time). */
function trueApiP95s(w: Window, samples: number): number[] {
  const probe = probeExchanges(w.wire, w.timings.requests, `marsana-fleet-smoke (monitor api; ${w.runId})`);
  expect(probe).toHaveLength(samples * CYCLES);
  expect(probe.every((e) => e.status === 200)).toBe(true);
  return Array.from({ length: CYCLES }, (_, k) => percentile(probe.slice(k * samples, (k + 1) * samples).map(wireTime), 95));
}

const wireTime = (e: HttpExchange) => e.answeredAt - e.sentAt;

/**
 * The exchanges with this User-Agent on the wire, in the order they were sent, each checked against the
 * sandbox's record of the same request: the same path, and the sandbox's interval no longer than the wire's (it
 * read the request after its packet came and wrote the response before its packet left; two clocks, so lengths
 * are compared, with 0.05 ms for the sandbox's clock).
 */
function probeExchanges(wire: HttpExchange[], served: Timings['requests'], userAgent: string): HttpExchange[] {
  const sent = wire.filter((e) => e.userAgent === userAgent);
  const atSandbox = served.filter((r) => r.userAgent === userAgent).sort((a, b) => a.arrivedAt - b.arrivedAt);
  expect(atSandbox.map((r) => r.url)).toEqual(sent.map((e) => e.url));
  sent.forEach((e, i) => {
    const s = atSandbox[i]!;
    expect(s.finishedAt - s.arrivedAt, `request ${i} ${e.url}: longer in the sandbox than on the wire`).toBeLessThanOrEqual(wireTime(e) + 0.05);
  });
  return sent;
}

/**
 * The sandbox's true p95 of the realtime probe's events, one per measurement. The probe's first write only
 * proves the channel live and is not measured; then `perCycle` writes a measurement.
 */
function trueRealtimeP95s(w: Window, perCycle: number): number[] {
  const events = w.timings.deliveries.filter((d) => d.topic === `realtime:monitor-${w.runId}` && d.type === 'UPDATE').sort((a, b) => a.sentAt - b.sentAt);
  expect(events).toHaveLength(1 + perCycle * CYCLES);
  const measured = events.slice(1);
  return Array.from({ length: CYCLES }, (_, k) => percentile(measured.slice(k * perCycle, (k + 1) * perCycle).map((d) => d.sentAt - d.committedAt), 95));
}

/**
 * A reported p95 against the true one: never shorter (the suite's clock holds the sandbox's; 0.05 ms for the
 * HDR histogram's and the print's rounding), at most max(2 ms, 2%) longer.
 */
function expectWithin(reported: number, truth: number, context: string): void {
  const message = `${context}: reported ${reported} ms, true ${truth.toFixed(2)} ms`;
  // Printed whether it passes or not: the margin left in the band is what a reader of CI's output wants to see.
  console.log(`${message} (${reported >= truth ? '+' : ''}${(reported - truth).toFixed(2)} ms, band +${Math.max(2, 0.02 * truth).toFixed(2)} ms)`);
  expect(reported, message).toBeGreaterThanOrEqual(truth - 0.05);
  expect(reported, message).toBeLessThanOrEqual(truth + Math.max(2, 0.02 * truth));
}

/** Measurement by measurement; the log's whole-millisecond cell is the printed figure rounded. */
function expectHonest(reported: number[], logCells: number[], truth: number[], what: string): void {
  expect(reported, what).toHaveLength(CYCLES);
  reported.forEach((r, k) => {
    expectWithin(r, truth[k]!, `${what}, measurement ${k}`);
    expect(Math.abs(logCells[k]! - r), `${what}, measurement ${k}: printed ${r} ms, logged ${logCells[k]} ms`).toBeLessThanOrEqual(r < 10 ? 0.05 : 0.5);
  });
}

describe('the monitor reports the p95 the sandbox measured', () => {
  for (const slowMs of [50, 200, 500]) {
    it.skipIf(SKIP_CAPTURE)(`API latency with api_slow=${slowMs}`, async () => {
      const w = await monitorWindow(`api_slow=${slowMs}`, 'readonly', SAMPLES[slowMs]!, true);
      const truth = trueApiP95s(w, SAMPLES[slowMs]!);
      // The fault is in the truth: every probe request waited at least its delay inside the sandbox.
      truth.forEach((t) => expect(t).toBeGreaterThanOrEqual(slowMs));
      expectHonest(printed(w.out, 'API'), logged(w.log, 'API Latency Monitoring'), truth, `API p95, api_slow=${slowMs}`);
    });
  }

  it('realtime latency with realtime_slow=100 (commit to arrival: a slow API is not counted in it)', async () => {
    // Four times as many samples, so that the realtime probe writes REALTIME_EVENTS times a measurement;
    // api_slow=50 delays every write, and the figure must still be the event's own 100 ms.
    const w = await monitorWindow('realtime_slow=100,api_slow=50', 'mine', 4 * REALTIME_EVENTS);
    const truth = trueRealtimeP95s(w, REALTIME_EVENTS);
    truth.forEach((t) => expect(t).toBeGreaterThanOrEqual(100));
    expectHonest(printed(w.out, 'realtime'), logged(w.log, 'Real-time Latency Monitoring'), truth, 'realtime p95, realtime_slow=100');
  });

  for (const connections of [1, 10]) {
    it.skipIf(SKIP_CAPTURE)(`load p95 (pnpm load, autocannon, ${connections} connection${connections > 1 ? 's' : ''}) with api_slow=200`, async () => {
      const { reported, truth } = await loadWindow(connections, 4);
      expect(truth).toBeGreaterThanOrEqual(200);
      expectWithin(reported, truth, `load p95, api_slow=200, ${connections} connections`);
    });
  }
});

/** `pnpm load --profile=read-mix` for `seconds` with api_slow=200: its p95 and the wire's of the same requests. */
async function loadWindow(connections: number, seconds: number): Promise<{ reported: number; truth: number }> {
  await control('faults', 'PUT', { faults: 'api_slow=200' });
  const wire = await startWireCapture(port);
  const run = await runScript('scripts/load.ts', ['--env=readonly', '--profile=read-mix', `--duration=${seconds}`, `--connections=${connections}`, '--json'], { cwd: dir });
  const exchanges = await wire.stop();
  await control('faults', 'PUT', { faults: '' });
  expect(run.code, run.stderr).toBe(0);
  const runId = /^load (load-\S+):/m.exec(run.stderr)?.[1];
  const reported = JSON.parse(run.stdout) as { requests: number; latency: { p95: number } };
  // autocannon counts a response once it has come, so the counted ones are the first answered; those still in
  // flight when it stopped (at most one a connection) were answered later, or not at all.
  const answered = (e: HttpExchange) => (e.status === 0 ? Infinity : e.answeredAt);
  const sent = exchanges.filter((e) => e.userAgent === `marsana-fleet-smoke (load read-mix; ${runId})`).sort((a, b) => answered(a) - answered(b));
  expect(sent.length).toBeGreaterThanOrEqual(reported.requests);
  expect(sent.length).toBeLessThanOrEqual(reported.requests + connections);
  const counted = sent.slice(0, reported.requests);
  expect(counted.every((e) => e.status === 200)).toBe(true);
  const truth = percentile(counted.map(wireTime), 95);
  return { reported: Number(reported.latency.p95.toFixed(1)), truth };
}
