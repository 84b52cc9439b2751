import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../synthetic/history.ts';
import { commitToArrival, probeApi } from './probes.ts';

// A server that measures, independently of the monitor, each request it serves: from the request's arrival (its
// headers parsed) to the end of its response (the last byte handed to the socket), keyed by the request's own
// number. Each request waits a fixed delay: 38 spread evenly from 20 to 200 ms, and two of 300 ms. The
// nearest-rank p95 of 40 is the 38th fastest, the 200 ms request; the 37th is 5 ms below it, the 39th 100 ms
// above, so a p90, a p99 or the maximum reported as the p95 lands outside the band the test accepts.
const SAMPLES = 40;
const SPREAD = Array.from({ length: SAMPLES - 2 }, (_, i) => 20 + Math.round((i * 180) / (SAMPLES - 3)));
const DELAYS = [...SPREAD, 300, 300];
/** Request k's delay, in an order that mixes fast and slow (13 is prime to 40, so each delay once). */
const delayMs = (k: number) => DELAYS[(k * 13) % SAMPLES]!;
const served = new Map<number, { arrivedAt: number; endedAt: number }>();
let server: http.Server;
let origin: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const arrivedAt = performance.now();
    const k = Number(req.headers['x-probe']);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok', () => served.set(k, { arrivedAt, endedAt: performance.now() }));
    }, delayMs(k));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('probeApi', () => {
  it("reports a p95 between the server's own p95 of the same requests and that plus the client side's small share", async () => {
    // One request per number, sent in this order (probeApi goes through its list one request at a time).
    const requests = Array.from({ length: SAMPLES }, (_, k) => ({ method: 'GET' as const, path: '/api/health', headers: { 'x-probe': String(k) } }));
    const result = await probeApi(origin, requests, SAMPLES, '/api/health');
    expect(result).toMatchObject({ requests: SAMPLES, failed: 0, healthy: true });
    expect(result.latencies).toHaveLength(SAMPLES);
    expect([...served.keys()].sort((a, b) => a - b)).toEqual(requests.map((_, k) => k));
    const serverMs = requests.map((_, k) => served.get(k)!.endedAt - served.get(k)!.arrivedAt);

    // Each of the monitor's intervals holds the server's interval of the same request: never shorter.
    result.latencies.forEach((ms, k) => expect(ms, `request ${k}`).toBeGreaterThanOrEqual(serverMs[k]! - 0.5));
    // The reported p95 is the nearest-rank p95 of the monitor's own samples (HDR: 3 significant digits).
    const ownP95 = percentile(result.latencies, 95);
    expect(Math.abs(result.p95Ms! - ownP95)).toBeLessThanOrEqual(ownP95 * 0.001 + 0.001);

    // Two-sided, against the independent p95. The monitor's clock (docs/measurement.md) is the server's interval
    // plus the client's share: building and sending the request, the server reading its headers, the response's
    // transfer and reading the body, all on loopback (connection set-up once; fetch's own start-up is taken
    // outside the clock by warmHttpClient()). That is 1–3 ms a request on a loaded 2-core machine; max(5 ms, 5%)
    // leaves room for the process being descheduled now and then. Below the band is an understated p95.
    const independentP95 = percentile(serverMs, 95);
    const tolerance = Math.max(5, independentP95 * 0.05);
    expect(result.p95Ms!).toBeGreaterThanOrEqual(independentP95 - 0.5);
    expect(result.p95Ms!).toBeLessThanOrEqual(independentP95 + tolerance);
    // The band holds the p95 request alone: its neighbours in rank (a p92.5, a p97.5) are outside it.
    expect(percentile(serverMs, 92.5)).toBeLessThan(independentP95 - 0.5);
    expect(percentile(serverMs, 97.5)).toBeGreaterThan(independentP95 + tolerance);
  });
});

describe('commitToArrival', () => {
  const started = 1000;
  const startedWall = 1_700_000_000_000;
  it("uses the server's commit time when it is plausible on our clock", () => {
    expect(commitToArrival({ at: 1300, wallAt: startedWall + 300, commitAt: startedWall + 250 }, started, startedWall)).toBe(50);
  });
  it('falls back to the time since the write was sent when the commit time is implausible (clock skew)', () => {
    expect(commitToArrival({ at: 1300, wallAt: startedWall + 300, commitAt: startedWall + 5000 }, started, startedWall)).toBe(300);
    expect(commitToArrival({ at: 1300, wallAt: startedWall + 300, commitAt: Number.NaN }, started, startedWall)).toBe(300);
  });
});
