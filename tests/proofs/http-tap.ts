/**
 * A wire tap for the measurement-honesty proof: a reverse proxy in front of the sandbox that times every request
 * passing through it, from the read that brought the request's first bytes to the tap to just before the last
 * write of the response back to the client (the sandbox's own TimingRecorder, attached to the tap's server).
 *
 * Why in front of the sandbox and not inside it: the sandbox shares its one event loop with its embedded
 * database, and a request that arrives while the loop is busy (a query, a garbage collection of its 200 MB heap)
 * waits in the kernel, outside any clock the sandbox can read. The tap's loop has nothing else to do, so that
 * wait is inside its clock, as it is inside the client's: only the client's own share stays outside.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TimingRecorder, type RequestTiming } from '../../sandbox/src/http/timing-recorder.ts';

export interface HttpTap {
  /** the origin to point a client at instead of the target's */
  origin: string;
  record(on: boolean): void;
  requests(): RequestTiming[];
  close(): Promise<void>;
}

export async function startHttpTap(target: string): Promise<HttpTap> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const recorder = new TimingRecorder();
  const server = http.createServer((req, res) => {
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  recorder.attach(server, '/__tap');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    record: (on) => recorder.set(on),
    requests: () => recorder.snapshot().requests,
    close: async () => {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
