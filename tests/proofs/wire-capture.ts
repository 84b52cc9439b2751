/**
 * A packet capture of one TCP port on the loopback interface (tcpdump), read into HTTP exchanges timed by the
 * kernel (./pcap.ts): the measurement-honesty proof's truth for HTTP latency. The capture's clock is the
 * kernel's stamp on each packet as it passes the interface; nothing in user space, not the client's nor the
 * server's nor ours, can make it late or early.
 *
 * Needs tcpdump and the right to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN on tcpdump). `.ci/run`
 * installs tcpdump; `captureUnavailable()` says in one line why a machine cannot capture.
 */
import { spawn, spawnSync } from 'node:child_process';
import { httpExchanges, readPcap, type HttpExchange } from './pcap.ts';

export interface WireCapture {
  /** Stops the capture and returns the exchanges with the server on `port`, in the order they were sent. */
  stop(): Promise<HttpExchange[]>;
}

const TCPDUMP = process.env.TCPDUMP ?? 'tcpdump';

/** Why tcpdump cannot capture on loopback here, or undefined when it can. */
export function captureUnavailable(): string | undefined {
  const probe = spawnSync(TCPDUMP, ['-i', 'lo', '-c', '1', '-w', '/dev/null', 'tcp port 9'], { timeout: 1_500, encoding: 'utf8' });
  if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') return `${TCPDUMP} is not installed (apt-get install tcpdump)`;
  // Killed by the timeout while listening: it could capture (no packet comes on port 9).
  if (/listening on/.test(probe.stderr ?? '')) return undefined;
  const why = (probe.stderr ?? '').trim().split('\n').pop();
  const rights = /not permitted|permission/i.test(why ?? '') ? ' (run as root, or setcap cap_net_raw,cap_net_admin+eip on tcpdump)' : '';
  return `${TCPDUMP} cannot capture on lo: ${why}${rights}`;
}

/** Starts capturing the TCP traffic of `port` on loopback; resolves once tcpdump is listening. */
export async function startWireCapture(port: number): Promise<WireCapture> {
  // Whole packets (-s 0), each written as it is captured (-U) to stdout, stamped to the nanosecond, with a
  // kernel buffer large enough that a burst of load drops nothing (-B, in KiB); no name lookups (-n).
  const tcpdump = spawn(TCPDUMP, ['-i', 'lo', '-n', '-s', '0', '-U', '-B', '16384', '--time-stamp-precision=nano', '-w', '-', `tcp port ${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  tcpdump.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<number | null>((resolve) => tcpdump.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    tcpdump.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/listening on/.test(stderr)) resolve();
    });
    tcpdump.once('error', reject);
    void exited.then(() => reject(new Error(`tcpdump exited before it listened: ${stderr.trim()}`)));
  });
  return {
    async stop() {
      // libpcap hands packets over a block at a time, a block once it is full or a second old, and tcpdump
      // interrupted drops the block not yet handed over (the last packets of a run were missing): let it age.
      // Not --immediate-mode, which wakes tcpdump for every packet, on the cores the measured processes share.
      await new Promise((r) => setTimeout(r, 1_500));
      tcpdump.kill('SIGINT');
      await exited;
      // tcpdump's closing statistics: a packet the kernel dropped is a request or response the truth lacks.
      const dropped = Number(/(\d+) packets? dropped by kernel/.exec(stderr)?.[1] ?? NaN);
      if (dropped !== 0) throw new Error(`the capture dropped packets or gave no statistics: ${stderr.trim()}`);
      return httpExchanges(readPcap(Buffer.concat(chunks)), port);
    },
  };
}
