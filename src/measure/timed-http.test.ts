import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimedHttpClient } from './timed-http.ts';

let server: http.Server;
let origin: string;
const received: { method?: string; body: string; length?: string; remotePort?: number }[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method, body, length: req.headers['content-length'], remotePort: req.socket.remotePort });
      if (req.url === '/never') return; // holds the request open: only the client's timeout ends it
      setTimeout(() => res.writeHead(req.url === '/missing' ? 404 : 200).end('x'.repeat(100_000)), 30);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

describe('TimedHttpClient', () => {
  it('times a request to the end of its body, sends the body with its length, and reuses one connection', async () => {
    const client = new TimedHttpClient();
    received.length = 0;
    try {
      const first = await client.request(new URL('/a', origin), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"é":1}' });
      const second = await client.request(new URL('/missing', origin), { method: 'GET' });
      expect(first.status).toBe(200);
      expect(second.status).toBe(404);
      expect(first.elapsedMs).toBeGreaterThanOrEqual(30);
      expect(received[0]).toMatchObject({ method: 'POST', body: '{"é":1}', length: '8' });
      expect(received[1]!.remotePort).toBe(received[0]!.remotePort);
    } finally {
      client.close();
    }
  });

  it('gives up after its timeout with a TimeoutError', async () => {
    const client = new TimedHttpClient(200);
    const started = performance.now();
    await expect(client.request(new URL('/never', origin), { method: 'GET' })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(5_000);
    client.close();
  });

  it("rejects with the socket's error code when nothing listens", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const client = new TimedHttpClient();
    await expect(client.request(new URL(`http://127.0.0.1:${port}/`), { method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    client.close();
  });
});

describe('TimedHttpClient clock', () => {
  it('stops at the read that brought the last bytes of the body, not the first', async () => {
    const split = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '8' });
      res.write('half');
      setTimeout(() => res.end('rest'), 60);
    });
    await new Promise<void>((r) => split.listen(0, '127.0.0.1', r));
    const client = new TimedHttpClient();
    try {
      const url = new URL(`http://127.0.0.1:${(split.address() as AddressInfo).port}/`);
      const started = performance.now();
      const res = await client.request(url, { method: 'GET' });
      expect(res.elapsedMs).toBeGreaterThanOrEqual(59);
      expect(res.elapsedMs).toBeLessThanOrEqual(performance.now() - started);
      // On the kept-alive connection too, where the clock starts at the hand-over to it.
      const again = await client.request(url, { method: 'GET' });
      expect(again.elapsedMs).toBeGreaterThanOrEqual(59);
    } finally {
      client.close();
      split.closeAllConnections();
      split.close();
    }
  });

  it('stops at the end of stream for a body the server ends by closing the connection', async () => {
    // No Content-Length, no chunking: the body ends when the connection does, 60 ms after its bytes.
    const closing = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nwhole body');
        setTimeout(() => socket.end(), 60);
      });
    });
    await new Promise<void>((r) => closing.listen(0, '127.0.0.1', r));
    const client = new TimedHttpClient();
    try {
      const res = await client.request(new URL(`http://127.0.0.1:${(closing.address() as AddressInfo).port}/`), { method: 'GET' });
      expect(res.elapsedMs).toBeGreaterThanOrEqual(59);
    } finally {
      client.close();
      closing.close();
    }
  });

  it('starts a request queued behind another for the one connection when it gets the connection', async () => {
    // Connection: close, so the queued request opens a new connection once the first is done.
    const slow = http.createServer((req, res) => setTimeout(() => res.writeHead(200, { connection: 'close' }).end('x'), req.url === '/slow' ? 200 : 30));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const client = new TimedHttpClient();
    try {
      const origin = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const [first, queued] = await Promise.all([client.request(new URL('/slow', origin), { method: 'GET' }), client.request(new URL('/fast', origin), { method: 'GET' })]);
      expect(first.elapsedMs).toBeGreaterThanOrEqual(199);
      expect(queued.elapsedMs).toBeGreaterThanOrEqual(29);
      expect(queued.elapsedMs).toBeLessThan(150);
    } finally {
      client.close();
      slow.closeAllConnections();
      slow.close();
    }
  });
});
