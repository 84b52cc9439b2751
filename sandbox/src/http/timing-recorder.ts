/**
 * The sandbox's own clock on what it serves, so the suite's latency figures can be checked against an
 * independent measurement (tests/proofs/measurement-honesty.test.ts). Off until switched on through
 * `/__sandbox/timings`; while on it keeps, per HTTP request, when the request arrived (the read that brought
 * its first bytes returned, before parsing, routing or any fault delay) and when the last write of its response
 * to the socket began, and per
 * realtime change event, when the change was committed and when the write of its frame to the socket began
 * (the bytes cannot leave earlier; read after the write, the clock would hold whatever descheduled us in it).
 *
 * Times are epoch milliseconds with microsecond fractions (a WallClock aligned when the recording starts), so
 * they compare with the database's `clock_timestamp()` and with other processes' clocks on this machine.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WallClock } from '../../../src/measure/wall-clock.ts';

export interface RequestTiming {
  method: string;
  /** path and query, as requested */
  url: string;
  userAgent: string;
  status: number;
  arrivedAt: number;
  finishedAt: number;
}

export interface DeliveryTiming {
  topic: string;
  table: string;
  type: string;
  /** the change's commit_timestamp as the database stamps it (microseconds on PostgreSQL, milliseconds on PGlite) */
  committedAt: number;
  sentAt: number;
}

const LAST_WRITE = Symbol('last write');
/** when the first read of the request now coming in on this connection returned; unset while one is served */
const FIRST_READ = Symbol('first read');
const BETWEEN_REQUESTS = Symbol('between requests');
type WatchedSocket = Socket & { [LAST_WRITE]?: number; [FIRST_READ]?: number; [BETWEEN_REQUESTS]?: boolean };

/** Enough for any proof; a sandbox left recording cannot grow without bound. */
const LIMIT = 100_000;

export class TimingRecorder {
  readonly #clock = new WallClock();
  #recording = false;
  #requests: RequestTiming[] = [];
  #deliveries: DeliveryTiming[] = [];

  get recording(): boolean {
    return this.#recording;
  }

  /** Starts a new recording (the previous one is dropped) or stops the current one (kept for reading). */
  set(recording: boolean): void {
    if (recording) {
      this.#clock.align();
      this.#requests = [];
      this.#deliveries = [];
    }
    this.#recording = recording;
  }

  snapshot(): { recording: boolean; requests: RequestTiming[]; deliveries: DeliveryTiming[] } {
    return { recording: this.#recording, requests: [...this.#requests], deliveries: [...this.#deliveries] };
  }

  /**
   * Times every request the server receives, except those under `skipPrefix` (the control endpoints). Runs as
   * the first request listener, so the clock starts before the app routes or delays anything.
   */
  attach(server: Server, skipPrefix: string): void {
    server.on('connection', (socket: Socket) => this.#watchReads(socket));
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const reads = req.socket as WatchedSocket;
      const firstRead = reads[FIRST_READ];
      reads[FIRST_READ] = undefined;
      // Bytes read once this response has gone out and this request has been read to its end belong to the
      // next request. Both: a response may go out before its request's body has come in (a 401 sent without
      // reading an upload), and the body's later reads are still this request's.
      let pending = 2;
      const settle = () => {
        if (--pending === 0) reads[BETWEEN_REQUESTS] = true;
      };
      res.once('finish', settle);
      req.once('end', settle);
      if (!this.#recording || req.url?.startsWith(skipPrefix)) return;
      const arrivedAt = firstRead ?? this.#clock.now();
      const socket = this.#watchWrites(req.socket);
      // 'prefinish': end() has been called and the response is complete. The clock stops at the socket's last
      // write before it, not at end(): a response with a Content-Length is whole on the wire with its last
      // body chunk, and @hono/node-server calls end() a few ticks later, after its stream reports done.
      res.once('prefinish', () => {
        if (!this.#recording || this.#requests.length >= LIMIT) return;
        this.#requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          userAgent: req.headers['user-agent'] ?? '',
          status: res.statusCode,
          arrivedAt,
          finishedAt: Math.max(arrivedAt, socket[LAST_WRITE]!),
        });
      });
    });
  }

  /**
   * Notes the time of every write to this connection (once per socket: a kept-alive connection carries many
   * responses, one after the other). Read just before the write: the bytes cannot leave earlier, and a process
   * descheduled inside the write (its peer woken by the bytes, on a busy machine) would stop a clock read after
   * it a millisecond or more late.
   */
  #watchWrites(socket: Socket): WatchedSocket {
    const watched = socket as WatchedSocket;
    if (watched[LAST_WRITE] !== undefined) return watched;
    watched[LAST_WRITE] = 0;
    const write = socket.write;
    const clock = this.#clock;
    watched.write = function (this: WatchedSocket, ...args: Parameters<Socket['write']>) {
      this[LAST_WRITE] = clock.now();
      return write.apply(this, args);
    } as Socket['write'];
    return watched;
  }

  /**
   * Notes when the first read of each request on this connection returned: the request has arrived then, and
   * the parsing of its headers is our work, inside the clock. Prepended, so the HTTP parser (the socket's other
   * 'data' listener) has not run yet.
   */
  #watchReads(socket: WatchedSocket): void {
    socket[BETWEEN_REQUESTS] = true;
    socket.prependListener('data', () => {
      if (!socket[BETWEEN_REQUESTS]) return;
      socket[BETWEEN_REQUESTS] = false;
      socket[FIRST_READ] = this.#clock.now();
    });
  }

  /** Called with a change event's frame built, just before it is written to the subscriber's socket. */
  delivered(entry: Omit<DeliveryTiming, 'sentAt'>): void {
    if (!this.#recording || this.#deliveries.length >= LIMIT) return;
    this.#deliveries.push({ ...entry, sentAt: this.#clock.now() });
  }
}
