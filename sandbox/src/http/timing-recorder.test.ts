/**
 * Where TimingRecorder's clock starts, seen from a raw socket that controls when each byte is sent: at the
 * read that brought a request's first bytes, not at its parsed headers, and never at a read that belongs to the
 * request before it (a body sent late).
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TimingRecorder } from './timing-recorder.ts';

let server: http.Server;
let port: number;
const recorder = new TimingRecorder();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  recorder.attach(server, '/__skip');
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A kept-alive connection that waits for each response (ending in "ok") before the caller goes on. */
async function connection(): Promise<{ send(text: string): void; response(): Promise<void>; close(): void }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let received = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (c: Buffer) => {
    received += c.toString();
    if (received.endsWith('ok')) {
      received = '';
      waiting?.();
    }
  });
  return {
    send: (text) => socket.write(text),
    response: () => new Promise<void>((r) => (waiting = r)),
    close: () => socket.destroy(),
  };
}

it('starts the clock at the first bytes of the request, not at its parsed headers', async () => {
  recorder.set(true);
  const c = await connection();
  const sentAt = Date.now();
  c.send('GET /split HTTP/1.1\r\nHost: x\r\n');
  await pause(60);
  const answered = c.response();
  c.send('User-Agent: split\r\n\r\n');
  await answered;
  c.close();
  const [r] = recorder.snapshot().requests.filter((q) => q.url === '/split');
  expect(r!.arrivedAt).toBeGreaterThanOrEqual(sentAt - 1);
  expect(r!.finishedAt - r!.arrivedAt).toBeGreaterThanOrEqual(55);
});

it("does not start the next request's clock at a late chunk of the body before it", async () => {
  recorder.set(true);
  const c = await connection();
  c.send('POST /with-body HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n');
  await pause(40);
  let answered = c.response();
  c.send('body'); // read after the POST's 'request' event: still the POST's
  await answered;
  await pause(60);
  const nextSentAt = Date.now();
  answered = c.response();
  c.send('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
  await answered;
  c.close();
  const requests = recorder.snapshot().requests;
  const post = requests.find((q) => q.url === '/with-body')!;
  const next = requests.find((q) => q.url === '/next')!;
  expect(post.finishedAt - post.arrivedAt).toBeGreaterThanOrEqual(35);
  expect(next.arrivedAt).toBeGreaterThanOrEqual(nextSentAt - 1);
  expect(next.finishedAt - next.arrivedAt).toBeLessThan(40);
});

it("does not start the next request's clock at the body of a request answered before it was read", async () => {
  // The server answers /early at once, without reading its body (as a 401 to an upload does).
  const early = http.createServer((req, res) => {
    if (req.url === '/early') res.end('ok');
    else req.on('end', () => res.end('ok')).resume();
  });
  const earlyRecorder = new TimingRecorder();
  earlyRecorder.attach(early, '/__skip');
  await new Promise<void>((r) => early.listen(0, '127.0.0.1', r));
  earlyRecorder.set(true);
  const socket = net.connect((early.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  const answers = async (n: number) => {
    while (received.split('ok').length - 1 < n) await pause(5);
  };
  socket.write('POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n');
  await answers(1);
  await pause(20);
  socket.write('body'); // read after /early's response went out: still /early's
  await pause(80);
  const nextSentAt = Date.now();
  socket.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
  await answers(2);
  socket.destroy();
  early.closeAllConnections();
  await new Promise((r) => early.close(r));
  const after = earlyRecorder.snapshot().requests.find((q) => q.url === '/after')!;
  expect(after.arrivedAt).toBeGreaterThanOrEqual(nextSentAt - 1);
  expect(after.finishedAt - after.arrivedAt).toBeLessThan(40);
});
