import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAlert } from './webhook.ts';

// A local receiver standing in for Slack's incoming-webhook endpoint.
const received: { headers: http.IncomingHttpHeaders; body: unknown }[] = [];
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(req.url === '/broken' ? 500 : 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('sendAlert', () => {
  it('posts Slack-compatible JSON with the title and every line', async () => {
    expect(await sendAlert(`${url}/hook`, { title: 'Rollback trigger fired', lines: ['API latency: 2500 ms'], context: 'log: promotion/promotion-log.md' })).toBeUndefined();
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.body).toMatchObject({
      text: 'Rollback trigger fired\n• API latency: 2500 ms',
      blocks: [{ type: 'header' }, { type: 'section', text: { text: '• API latency: 2500 ms' } }, { type: 'context' }],
    });
  });

  it('reports a receiver that fails or is not there, without throwing', async () => {
    expect(await sendAlert(`${url}/broken`, { title: 't', lines: [] })).toBe('alert webhook answered HTTP 500');
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await sendAlert(`http://127.0.0.1:${port}/`, { title: 't', lines: [] })).toBe('alert webhook unreachable (ECONNREFUSED)');
  });

  it('does nothing when no webhook is configured', async () => {
    const before = received.length;
    expect(await sendAlert(undefined, { title: 't', lines: [] })).toBeUndefined();
    expect(received).toHaveLength(before);
  });
});
