import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProfile } from './run-profile.ts';

// A real server whose latency and errors we set: every answer waits 20 ms, every 10th is a 500.
let server: http.Server;
let origin: string;
let served = 0;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    served++;
    const status = served % 10 === 0 ? 500 : 200;
    setTimeout(() => res.writeHead(status).end('x'), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const request = [{ method: 'GET' as const, path: '/', headers: {} }];

describe('runProfile', () => {
  it('measures a true p95 and the error rate from every response', async () => {
    const result = await runProfile(origin, request, { p95Ms: 1000, errorRatePct: 50, connections: 4, durationSeconds: 1 });
    expect(result.requests).toBeGreaterThan(20);
    expect(result.latency.p50).toBeGreaterThanOrEqual(20);
    expect(result.latency.p95).toBeGreaterThanOrEqual(result.latency.p50);
    expect(result.errorRatePct).toBeGreaterThan(5);
    expect(result.errorRatePct).toBeLessThan(15);
    expect(result.failures).toEqual([]);
  });

  it('fails on each threshold it misses, naming the figure and the limit', async () => {
    const result = await runProfile(origin, request, { p95Ms: 15, errorRatePct: 1, connections: 2, durationSeconds: 1 });
    expect(result.failures).toHaveLength(2);
    expect(result.failures[0]).toMatch(/^p95 \d+\.\d ms is not under 15 ms$/);
    expect(result.failures[1]).toMatch(/^error rate \d+\.\d\d% is over 1%$/);
  });
});
