import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ArrivalStampedWebSocket, lastMessageArrival } from './arrival-stamped-websocket.ts';

let server: WebSocketServer;
beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  // Two messages 50 ms apart, so the second's arrival cannot be mistaken for the first's.
  server.on('connection', (socket) => {
    socket.send('first');
    setTimeout(() => socket.send('second'), 50);
  });
});
afterAll(() => new Promise((r) => server.close(r)));

it("notes each message's arrival before the listeners the client library adds run", async () => {
  const ws = new ArrivalStampedWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const seen: { data: string; arrival: number; now: number }[] = [];
  await new Promise<void>((resolve) => {
    // As supabase-js does: a handler set after construction.
    ws.onmessage = (event) => {
      seen.push({ data: String(event.data), arrival: lastMessageArrival(), now: performance.now() });
      if (seen.length === 2) resolve();
    };
  });
  ws.close();
  expect(seen.map((s) => s.data)).toEqual(['first', 'second']);
  for (const s of seen) expect(s.arrival).toBeLessThanOrEqual(s.now);
  expect(seen[1]!.arrival - seen[0]!.arrival).toBeGreaterThanOrEqual(45);
});
