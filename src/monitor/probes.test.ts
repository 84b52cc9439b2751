import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '../synthetic/history.ts';
import { commitToCallback, probeApi } from './probes.ts';

// A server that records, independently of the monitor, how long each request took on its side: from the
// request's arrival to the end of its response. The delays spread from 5 to 100 ms so the p95 means something.
const serverMs: number[] = [];
let server: http.Server;
let origin: string;
beforeAll(async () => {
  let n = 0;
  server = http.createServer((_req, res) => {
    const started = performance.now();
    const delay = 5 + ((n++ * 37) % 96);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok', () => serverMs.push(performance.now() - started));
    }, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('probeApi', () => {
  it("reports the p95 of its own per-request latencies, each of which contains the server's timing of that request", async () => {
    const result = await probeApi(origin, [{ method: 'GET', path: '/api/health', headers: {} }], 60, '/api/health');
    expect(result.requests).toBe(60);
    expect(result.failed).toBe(0);
    expect(result.healthy).toBe(true);
    expect(result.latencies).toHaveLength(60);
    // Requests run one at a time, so the i-th latency and the i-th server timing are the same request. The
    // client's interval holds the server's (plus the loopback round trip): never shorter.
    result.latencies.forEach((ms, i) => expect(ms, `request ${i}`).toBeGreaterThanOrEqual(serverMs[i]! - 0.5));
    // The reported p95 is the nearest-rank p95 of those same samples (HDR: 3 significant digits).
    const independent = percentile(result.latencies, 95);
    expect(Math.abs(result.p95Ms! - independent)).toBeLessThanOrEqual(independent * 0.001 + 0.001);
    // And it is the p95, not a mean or a median: the slowest requests of the server's spread are in it.
    expect(result.p95Ms!).toBeGreaterThanOrEqual(percentile(serverMs, 95) - 0.5);
  });
});

describe('commitToCallback', () => {
  const started = 1000;
  const startedWall = 1_700_000_000_000;
  it("uses the server's commit time when it is plausible on our clock", () => {
    expect(commitToCallback({ at: 1300, wallAt: startedWall + 300, commitAt: startedWall + 250 }, started, startedWall)).toBe(50);
  });
  it('falls back to the time since the write was sent when the commit time is implausible (clock skew)', () => {
    expect(commitToCallback({ at: 1300, wallAt: startedWall + 300, commitAt: startedWall + 5000 }, started, startedWall)).toBe(300);
    expect(commitToCallback({ at: 1300, wallAt: startedWall + 300, commitAt: Number.NaN }, started, startedWall)).toBe(300);
  });
});
