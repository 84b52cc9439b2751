/**
 * HTTP requests timed for the monitor's API figure, on the wire as far as a process can see it: from the moment
 * the request is given its connection (a kept-alive one, written to in the same tick, or a new one, whose
 * connecting and TLS are then inside the clock: they are the target's and the network's time) to the moment the
 * read that delivered the response's last bytes returned (or its end of stream, for a body the server ends by
 * closing the connection). What our own process does around that, building the request before and
 * parsing the response after, is not the target's latency and stays outside: on this 2-core virtual machine,
 * after a 50 ms wait for the response, that work takes 0.3–0.4 ms (node:http, measured in one process), a fifth
 * of the 2 ms band the measurement-honesty proof allows at a 50 ms p95.
 *
 * node:http with one kept-alive connection rather than fetch(): on loopback here, fetch() spends 0.6–0.9 ms more
 * a request (undici's web streams and promise hops), and its connection is not ours to watch.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

export interface TimedResponse {
  status: number;
  elapsedMs: number;
}

export interface TimedRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A request that took longer than the client's timeout (its `name`, like AbortSignal.timeout()'s error). */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
  }
}

const LAST_READ = Symbol('last read');
type ReadStampedSocket = Socket & { [LAST_READ]?: number };

/**
 * Notes when each read from this connection returned, the end of stream included (once per socket: a kept-alive
 * one carries many responses).
 */
function stampReads(socket: ReadStampedSocket): void {
  if (socket[LAST_READ] !== undefined) return;
  socket[LAST_READ] = 0;
  // Prepended: the HTTP parser is the socket's other listener, and the clock must not hold its work.
  const stamp = () => (socket[LAST_READ] = performance.now());
  socket.prependListener('data', stamp);
  socket.prependListener('end', stamp);
}

export class TimedHttpClient {
  // One connection, reused request after request: the first request of a client pays for connecting (and TLS),
  // the others do not, as a browser's would.
  readonly #agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 1 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 1 }),
  };

  constructor(private readonly timeoutMs = 10_000) {}

  /** Rejects with the socket's error (its `code`: ECONNREFUSED, ENOTFOUND, …) or a RequestTimeoutError. */
  request(url: URL, { method, headers = {}, body }: TimedRequest): Promise<TimedResponse> {
    const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
    const send = protocol === 'https:' ? https.request : http.request;
    const allHeaders = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      let started = performance.now();
      let socket: ReadStampedSocket | undefined;
      const fail = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      const req = send(url, { method, headers: allHeaders, agent: this.#agents[protocol] }, (res) => {
        res.on('error', fail); // the connection dropped in the middle of the body
        res.on('end', () => {
          clearTimeout(timer);
          // The body is parsed inside the read that brought its last bytes (or its end of stream), so that read
          // is the response's end.
          const ended = Math.max(started, socket?.[LAST_READ] || performance.now());
          resolve({ status: res.statusCode ?? 0, elapsedMs: ended - started });
        });
        res.resume();
      });
      // Node writes the request to its connection right after 'socket' (the same tick, or once a new connection
      // is open). Not earlier: a request queued behind another for the one connection is not yet the target's.
      req.once('socket', (s: Socket) => {
        started = performance.now();
        socket = s;
        stampReads(socket);
      });
      const timer = setTimeout(() => req.destroy(new RequestTimeoutError(this.timeoutMs)), this.timeoutMs);
      req.on('error', fail);
      req.end(body);
    });
  }

  /** Closes the kept-alive connections, so that the process can exit. */
  close(): void {
    for (const agent of Object.values(this.#agents)) agent.destroy();
  }
}
