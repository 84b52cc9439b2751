/**
 * A packet capture of one TCP port on the loopback interface (tcpdump), read into HTTP exchanges timed by the
 * kernel (./pcap.ts): the measurement-honesty proof's truth for HTTP latency. The capture's clock is the
 * kernel's stamp on each packet as it passes the interface; nothing in user space, not the client's nor the
 * server's nor ours, can make it late or early.
 *
 * Needs tcpdump and the right to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN given to tcpdump with
 * setcap). `scripts/bootstrap.sh` installs tcpdump as root on Debian/Ubuntu; `captureUnavailable()` says in one
 * line why a machine cannot capture.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { httpExchanges, readPcap, type HttpExchange } from './pcap.ts';

export interface WireCapture {
  /** Stops the capture and returns the exchanges with the server on `port`, in the order they were sent. */
  stop(): Promise<HttpExchange[]>;
}

const TCPDUMP = 'tcpdump';
/** How long tcpdump may take to start listening, or to hand over the last packets. */
const PATIENCE_MS = 10_000;

interface Tcpdump {
  process: ChildProcessByStdio<null, Readable, Readable>;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts tcpdump with `args`; resolves once it is listening, rejects with what it said when it cannot. */
async function listening(args: string[]): Promise<Tcpdump> {
  const child = spawn(TCPDUMP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${TCPDUMP} did not start listening within ${PATIENCE_MS / 1000} s`));
    }, PATIENCE_MS);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? `${TCPDUMP} is not installed (apt-get install tcpdump)` : `${TCPDUMP}: ${e.message}`));
    });
    void exited.then(() => {
      clearTimeout(timer);
      const why = stderr.trim().split('\n').pop() || 'no reason given';
      const rights = /not permitted|permission/i.test(why) ? ' (run as root, or setcap cap_net_raw,cap_net_admin+eip on tcpdump)' : '';
      reject(new Error(`${TCPDUMP} cannot capture on lo: ${why}${rights}`));
    });
  });
  return { process: child, stderr: () => stderr, exited };
}

/** Why tcpdump cannot capture on loopback here, or undefined when it can. */
export async function captureUnavailable(): Promise<string | undefined> {
  try {
    const probe = await listening(['-i', 'lo', '-w', '/dev/null', 'tcp port 9']);
    probe.process.kill('SIGINT');
    await probe.exited;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Starts capturing the TCP traffic of `port` on loopback; resolves once tcpdump is listening. */
export async function startWireCapture(port: number): Promise<WireCapture> {
  // Whole packets (-s 0), each written as it is handed over (-U) to stdout, stamped to the nanosecond, with a
  // kernel buffer large enough that a burst of load drops nothing (-B, in KiB); no name lookups (-n). Not
  // --immediate-mode, which wakes tcpdump for every packet, on the cores the measured processes share.
  const tcpdump = await listening(['-i', 'lo', '-n', '-s', '0', '-U', '-B', '16384', '--time-stamp-precision=nano', '-w', '-', `tcp port ${port}`]);
  const chunks: Buffer[] = [];
  tcpdump.process.stdout.on('data', (c: Buffer) => chunks.push(c));
  return {
    async stop() {
      try {
        await markerCameOut();
      } catch (e) {
        tcpdump.process.kill('SIGKILL');
        await tcpdump.exited;
        throw e;
      }
      tcpdump.process.kill('SIGINT');
      await tcpdump.exited;
      // tcpdump's closing statistics: a packet the kernel dropped is a request or response the truth lacks.
      const stats = tcpdump.stderr();
      const dropped = Number(/(\d+) packets? dropped by kernel/.exec(stats)?.[1] ?? NaN);
      if (dropped !== 0) throw new Error(`the capture dropped packets or gave no statistics: ${stats.trim()}`);
      return httpExchanges(readPcap(Buffer.concat(chunks)), port);
    },
  };

  /**
   * libpcap hands packets over a block at a time, once the block is full or a second old, and tcpdump
   * interrupted drops a block not yet handed over. So a marker goes last: a connection opened to the port from
   * an address nothing else uses (its first packet), and the capture may stop once the marker has come out of
   * it, everything before it with it.
   */
  async function markerCameOut(): Promise<void> {
    await openAndClose(port);
    const deadline = Date.now() + PATIENCE_MS;
    const marked = () => {
      const sofar = Buffer.concat(chunks);
      return sofar.length > 24 && readPcap(sofar).some((s) => s.syn && s.from.startsWith(`${MARKER_ADDRESS}:`));
    };
    while (!marked()) {
      if (tcpdump.process.exitCode !== null) throw new Error(`tcpdump stopped before the capture's end: ${tcpdump.stderr().trim()}`);
      if (Date.now() > deadline) throw new Error(`the capture did not hand over its last packets within ${PATIENCE_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The marker's source: a loopback address of its own, so that no earlier connection can be taken for it. */
const MARKER_ADDRESS = '127.0.0.2';

/** Opens a connection to `port` on loopback from MARKER_ADDRESS and closes it at once. */
function openAndClose(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: MARKER_ADDRESS }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
