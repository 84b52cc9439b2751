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
  server = http.createServer((req, res) => {
    const started = performance.now();
    const delay = 5 + ((n++ * 37) % 96);
    setTimeout(() => {
      res.writeHead(req.url === '/api/health' ? 200 : 200, { 'content-type': 'text/plain' });
      res.end('ok', () => serverMs.push(performance.now() - started));
    }, delay);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('probeApi', () => {
  it("reports a p95 that matches the server's own timings of the same requests", async () => {
    const result = await probeApi(origin, [{ method: 'GET', path: '/api/health', headers: {} }], 60, '/api/health');
    expect(result.requests).toBe(60);
    expect(result.failed).toBe(0);
    expect(result.healthy).toBe(true);
    const independent = percentile(serverMs, 95);
    // The client's clock also holds the loopback round trip and fetch's own work: a few ms (more on a loaded
    // machine), never less. A mean or a p50 would be ~40 ms off; this pins the p95 to the same requests.
    expect(result.p95Ms!).toBeGreaterThanOrEqual(independent - 0.5);
    expect(result.p95Ms! - independent).toBeLessThan(10);
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
