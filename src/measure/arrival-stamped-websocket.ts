/**
 * The `ws` WebSocket that supabase-js is given as its realtime transport (Node 20 has no global one), noting
 * when each message was read off its connection. supabase-js decodes a message and runs the subscriber's
 * callbacks inside that same dispatch, so a callback can ask when the frame that carried its event arrived:
 * the realtime probe's clock then stops at the arrival, not after the client library's decoding and routing
 * (0.16 ms at the median here, 0.4–0.5 ms at the p95), which is our work, not the service's latency.
 */
import WebSocket from 'ws';

let lastArrival = 0;

export class ArrivalStampedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    // Prepended: supabase-js's own listener, which decodes and dispatches, runs after this one.
    this.prependListener('message', () => (lastArrival = performance.now()));
  }
}

/**
 * `performance.now()` of the latest message read by any ArrivalStampedWebSocket in this process. Read inside
 * a callback, that is the message being dispatched, or (were a library ever to defer its dispatch) one read
 * later: never earlier than the true arrival, and never later than the callback itself. Two messages that came
 * in one read are stamped one after the other, the second once the first has been dispatched (0.2–0.5 ms with
 * supabase-js here): its arrival then reads that much late, never early.
 */
export function lastMessageArrival(): number {
  return lastArrival;
}
