/**
 * Reads a packet capture (the classic pcap format tcpdump writes with `-w`) into the TCP segments it holds, and
 * those segments into HTTP/1.1 exchanges timed on the wire: from the packet that carried a request's first bytes
 * to the packet that carried its response's last bytes. The times are the kernel's, stamped as each packet passed
 * the interface, so no process's scheduling (ours, the client's or the server's reading of the socket) is in them.
 *
 * Written here rather than taken from npm: the pure-JavaScript pcap readers there are unmaintained, and the
 * maintained one (`pcap`) is a native addon around libpcap. The format is a 24-byte header and a 16-byte header a
 * packet; what we need of the link, IP and TCP headers is a few fixed offsets.
 */

export interface TcpSegment {
  /** nanoseconds since the capture's first packet */
  atNs: bigint;
  /** "address:port" */
  from: string;
  to: string;
  toPort: number;
  /** opens a connection */
  syn: boolean;
  payload: Buffer;
}

export interface HttpExchange {
  method: string;
  url: string;
  userAgent: string;
  /** the status code of the response, 0 when none came */
  status: number;
  /** milliseconds since the capture's first packet: the request's first bytes on the wire */
  sentAt: number;
  /** the response's last bytes on the wire (equal to sentAt when none came) */
  answeredAt: number;
}

const LINK_HEADER: Record<number, { length: number; etherTypeAt: number }> = {
  1: { length: 14, etherTypeAt: 12 }, // Ethernet, which Linux's loopback interface presents
  113: { length: 16, etherTypeAt: 14 }, // Linux "cooked" capture (-i any)
  276: { length: 20, etherTypeAt: 0 }, // Linux cooked capture v2
};

/** The TCP segments of a pcap file, in capture order. Throws on a file that is not one. */
export function readPcap(file: Buffer): TcpSegment[] {
  if (file.length < 24) throw new Error('not a pcap file: shorter than its header');
  // The magic number, in the writer's byte order: µs fractions, or ns ones.
  const MICRO = 0xa1b2c3d4;
  const NANO = 0xa1b23c4d;
  const little = [MICRO, NANO].includes(file.readUInt32LE(0));
  const magic = little ? file.readUInt32LE(0) : file.readUInt32BE(0);
  if (magic !== MICRO && magic !== NANO) throw new Error('not a pcap file: unknown magic number');
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const nanoFractions = magic === NANO;
  const link = LINK_HEADER[u32(20) & 0x0fffffff];
  if (!link) throw new Error(`pcap link type ${u32(20)} is not one this reader knows (Ethernet or Linux cooked)`);

  const segments: TcpSegment[] = [];
  let first: bigint | undefined;
  for (let at = 24; at + 16 <= file.length; ) {
    const fraction = BigInt(u32(at + 4));
    const atNs = BigInt(u32(at)) * 1_000_000_000n + (nanoFractions ? fraction : fraction * 1000n);
    const captured = u32(at + 8);
    const packet = file.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    first ??= atNs;
    const segment = tcpSegment(packet, link);
    if (segment) segments.push({ atNs: atNs - first, ...segment });
  }
  return segments;
}

function tcpSegment(packet: Buffer, link: { length: number; etherTypeAt: number }): Omit<TcpSegment, 'atNs'> | undefined {
  if (packet.length < link.length + 20) return undefined;
  const etherType = packet.readUInt16BE(link.etherTypeAt);
  const ip = packet.subarray(link.length);
  let from: string, to: string, tcp: Buffer;
  if (etherType === 0x0800) {
    if (ip[9] !== 6) return undefined;
    const headerLength = (ip[0]! & 0x0f) * 4;
    from = ip.subarray(12, 16).join('.');
    to = ip.subarray(16, 20).join('.');
    // A total length of 0 marks a segmentation-offload packet larger than 64 KiB: it runs to the capture's end.
    tcp = ip.subarray(headerLength, ip.readUInt16BE(2) || undefined);
  } else if (etherType === 0x86dd) {
    if (ip[6] !== 6) return undefined; // extension headers do not occur on loopback TCP
    from = ipv6(ip.subarray(8, 24));
    to = ipv6(ip.subarray(24, 40));
    const payloadLength = ip.readUInt16BE(4);
    tcp = ip.subarray(40, payloadLength ? 40 + payloadLength : undefined); // 0: as for IPv4 above
  } else {
    return undefined;
  }
  if (tcp.length < 20) return undefined;
  const dataOffset = (tcp[12]! >> 4) * 4;
  return {
    from: `${from}:${tcp.readUInt16BE(0)}`,
    to: `${to}:${tcp.readUInt16BE(2)}`,
    toPort: tcp.readUInt16BE(2),
    syn: (tcp[13]! & 0x02) !== 0,
    payload: tcp.subarray(dataOffset),
  };
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return `[${groups.join(':')}]`;
}

const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r\n/;

/**
 * The HTTP/1.1 exchanges with the server listening on `serverPort`, in the order their requests were sent.
 * A connection carries one exchange at a time (no pipelining, which neither Node's client nor the browsers use):
 * a response's bytes belong to the last request sent on its connection. A request's head may span segments (it
 * is read to its blank line); its body, when it has one, is counted off its Content-Length so that it is never
 * taken for the next request. Needs the whole of every packet (tcpdump's default snap length).
 */
export function httpExchanges(segments: TcpSegment[], serverPort: number): HttpExchange[] {
  const exchanges: HttpExchange[] = [];
  /** per client: its exchange now open, the part of its head read so far (until the blank line), its body left */
  const open = new Map<string, { exchange: HttpExchange; head?: string; bodyLeft: number }>();
  for (const s of segments) {
    // A new connection from a client port used before starts with nothing owed from the old one.
    if (s.syn) open.delete(s.toPort === serverPort ? s.from : s.to);
    if (s.payload.length === 0) continue;
    if (s.toPort === serverPort) {
      const current = open.get(s.from);
      let text = s.payload.toString('latin1');
      if (current?.head !== undefined) {
        text = current.head + text;
      } else if (current && current.bodyLeft > 0) {
        current.bodyLeft -= s.payload.length;
        continue;
      } else {
        const line = REQUEST_LINE.exec(text);
        if (!line) continue; // not HTTP/1.1 from its first byte: nothing this reader can follow
        const at = Number(s.atNs) / 1e6;
        const exchange: HttpExchange = { method: line[1]!, url: line[2]!, userAgent: '', status: 0, sentAt: at, answeredAt: at };
        exchanges.push(exchange);
        open.set(s.from, { exchange, bodyLeft: 0 });
      }
      const state = open.get(s.from)!;
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        state.head = text;
        continue;
      }
      const head = text.slice(0, headEnd);
      state.head = undefined;
      state.exchange.userAgent = header(head, 'user-agent') ?? '';
      state.bodyLeft = Number(header(head, 'content-length') ?? 0) - (text.length - headEnd - 4);
    } else {
      const current = open.get(s.to);
      if (!current) continue;
      if (current.exchange.status === 0) current.exchange.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(s.payload.toString('latin1', 0, 16))?.[1] ?? 0);
      current.exchange.answeredAt = Number(s.atNs) / 1e6;
    }
  }
  return exchanges;
}

function header(head: string, name: string): string | undefined {
  return new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, 'i').exec(head)?.[1]?.trim();
}
