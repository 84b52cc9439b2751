import { describe, expect, it } from 'vitest';
import { httpExchanges, readPcap } from './pcap.ts';

interface Packet {
  /** microseconds since the epoch */
  atUs: number;
  from: [string, number];
  to: [string, number];
  payload?: string;
  syn?: boolean;
}

/** A pcap file as tcpdump writes it: the given byte order, µs or ns fractions, Ethernet or Linux cooked links. */
function pcap(packets: Packet[], opts: { bigEndian?: boolean; nano?: boolean; link?: 1 | 113 | 276; ipv6?: boolean; zeroLength?: boolean } = {}): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    if (opts.bigEndian) b.writeUInt32BE(n);
    else b.writeUInt32LE(n);
    return b;
  };
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    if (opts.bigEndian) b.writeUInt16BE(n);
    else b.writeUInt16LE(n);
    return b;
  };
  const link = opts.link ?? 1;
  const header = Buffer.concat([u32(opts.nano ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(link)]);
  const records = packets.map((p) => {
    const payload = Buffer.from(p.payload ?? '', 'latin1');
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(p.from[1], 0);
    tcp.writeUInt16BE(p.to[1], 2);
    tcp[12] = 5 << 4;
    tcp[13] = p.syn ? 0x02 : 0x18;
    let ip: Buffer;
    if (opts.ipv6) {
      ip = Buffer.alloc(40);
      ip[0] = 0x60;
      ip.writeUInt16BE(20 + payload.length, 4);
      ip[6] = 6;
      ip[23] = 1; // ::1
      ip[39] = 1;
    } else {
      ip = Buffer.alloc(20);
      ip[0] = 0x45;
      ip.writeUInt16BE(opts.zeroLength ? 0 : 40 + payload.length, 2);
      ip[9] = 6;
      Buffer.from(p.from[0].split('.').map(Number)).copy(ip, 12);
      Buffer.from(p.to[0].split('.').map(Number)).copy(ip, 16);
    }
    const etherType = opts.ipv6 ? 0x86dd : 0x0800;
    const linkHeader = Buffer.alloc({ 1: 14, 113: 16, 276: 20 }[link]);
    linkHeader.writeUInt16BE(etherType, { 1: 12, 113: 14, 276: 0 }[link]);
    const frame = Buffer.concat([linkHeader, ip, tcp, payload]);
    const seconds = Math.floor(p.atUs / 1e6);
    const fraction = p.atUs - seconds * 1e6;
    return Buffer.concat([u32(seconds), u32(opts.nano ? fraction * 1000 : fraction), u32(frame.length), u32(frame.length), frame]);
  });
  return Buffer.concat([header, ...records]);
}

const CLIENT: [string, number] = ['127.0.0.1', 50_000];
const OTHER_CLIENT: [string, number] = ['127.0.0.1', 50_001];
const SERVER: [string, number] = ['127.0.0.1', 8080];
const T0 = 1_780_000_000_000_000; // µs

const get = (path: string, ua: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${ua}\r\nConnection: keep-alive\r\n\r\n`;

describe('readPcap and httpExchanges', () => {
  it('times an exchange from its request packet to its last response packet, with the kernel stamps', () => {
    const file = pcap([
      { atUs: T0, from: CLIENT, to: SERVER }, // a bare ACK: no payload, not an exchange
      { atUs: T0 + 100, from: CLIENT, to: SERVER, payload: get('/api/health', 'probe 1') },
      { atUs: T0 + 50_100, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n' },
      { atUs: T0 + 50_350, from: SERVER, to: CLIENT, payload: 'okay' },
      { atUs: T0 + 50_400, from: CLIENT, to: SERVER },
    ]);
    const segments = readPcap(file);
    expect(segments).toHaveLength(5);
    expect(segments[1]).toMatchObject({ atNs: 100_000n, from: '127.0.0.1:50000', to: '127.0.0.1:8080', toPort: 8080 });
    expect(httpExchanges(segments, 8080)).toEqual([
      { method: 'GET', url: '/api/health', userAgent: 'probe 1', status: 200, sentAt: 0.1, answeredAt: 50.35 },
    ]);
  });

  it('keeps exchanges of interleaved connections apart and in the order they were sent', () => {
    const file = pcap([
      { atUs: T0, from: CLIENT, to: SERVER, payload: get('/a', 'one') },
      { atUs: T0 + 10, from: OTHER_CLIENT, to: SERVER, payload: get('/b', 'two') },
      { atUs: T0 + 2_000, from: SERVER, to: OTHER_CLIENT, payload: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' },
      { atUs: T0 + 3_000, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' },
      { atUs: T0 + 4_000, from: CLIENT, to: SERVER, payload: get('/c', 'one') },
      { atUs: T0 + 9_000, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n' },
    ]);
    const exchanges = httpExchanges(readPcap(file), 8080);
    expect(exchanges.map((e) => [e.url, e.userAgent, e.status, e.answeredAt - e.sentAt])).toEqual([
      ['/a', 'one', 200, 3],
      ['/b', 'two', 404, 1.99],
      ['/c', 'one', 201, 5],
    ]);
  });

  it('counts a request body off its Content-Length, so a body that looks like a request is not taken for one', () => {
    const body = get('/not-a-request', 'inside a body');
    const file = pcap([
      { atUs: T0, from: CLIENT, to: SERVER, payload: `POST /rest/v1/vehicles HTTP/1.1\r\nuser-agent: writer\r\ncontent-length: ${body.length}\r\n\r\n` },
      { atUs: T0 + 50, from: CLIENT, to: SERVER, payload: body },
      { atUs: T0 + 7_000, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n' },
    ]);
    expect(httpExchanges(readPcap(file), 8080)).toMatchObject([{ method: 'POST', url: '/rest/v1/vehicles', userAgent: 'writer', status: 201, sentAt: 0, answeredAt: 7 }]);
  });

  it('reads a request head that spans segments to its blank line, and counts its body from there', () => {
    const file = pcap([
      { atUs: T0, from: CLIENT, to: SERVER, payload: 'POST /upload HTTP/1.1\r\nHost: x\r\n' },
      { atUs: T0 + 20, from: CLIENT, to: SERVER, payload: 'User-Agent: split\r\nContent-Length: 10\r\n\r\n12345' },
      { atUs: T0 + 40, from: CLIENT, to: SERVER, payload: 'GET /x HTT' }, // the body's last five bytes
      { atUs: T0 + 3_000, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n' },
      { atUs: T0 + 4_000, from: CLIENT, to: SERVER, payload: get('/next', 'after') },
      { atUs: T0 + 5_000, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n' },
    ]);
    expect(httpExchanges(readPcap(file), 8080).map((e) => [e.method, e.url, e.userAgent, e.status, e.answeredAt - e.sentAt])).toEqual([
      ['POST', '/upload', 'split', 201, 3],
      ['GET', '/next', 'after', 200, 1],
    ]);
  });

  it('marks the segments that open a connection, and starts a reused client port afresh', () => {
    const segments = readPcap(
      pcap([
        { atUs: T0, from: CLIENT, to: SERVER, syn: true },
        { atUs: T0 + 10, from: CLIENT, to: SERVER, payload: 'POST /cut HTTP/1.1\r\nContent-Length: 99\r\n\r\nonly part' },
        { atUs: T0 + 1_000, from: CLIENT, to: SERVER, syn: true }, // the same port, a new connection
        { atUs: T0 + 1_010, from: CLIENT, to: SERVER, payload: get('/fresh', 'new') },
        { atUs: T0 + 2_010, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n' },
      ]),
    );
    expect(segments.map((s) => s.syn)).toEqual([true, false, true, false, false]);
    expect(httpExchanges(segments, 8080).map((e) => [e.url, e.status])).toEqual([
      ['/cut', 0],
      ['/fresh', 200],
    ]);
  });

  it('leaves an unanswered request with status 0 and no time', () => {
    const exchanges = httpExchanges(readPcap(pcap([{ atUs: T0, from: CLIENT, to: SERVER, payload: get('/slow', 'x') }])), 8080);
    expect(exchanges).toMatchObject([{ status: 0, sentAt: 0, answeredAt: 0 }]);
  });

  it('reads big-endian files, nanosecond stamps, Linux cooked links and IPv6', () => {
    const packets: Packet[] = [
      { atUs: T0, from: CLIENT, to: SERVER, payload: get('/x', 'v') },
      { atUs: T0 + 1_234, from: SERVER, to: CLIENT, payload: 'HTTP/1.1 204 No Content\r\n\r\n' },
    ];
    for (const opts of [{ bigEndian: true }, { nano: true }, { link: 113 as const }, { link: 276 as const }, { ipv6: true }, { zeroLength: true }]) {
      const [exchange] = httpExchanges(readPcap(pcap(packets, opts)), 8080);
      expect(exchange, JSON.stringify(opts)).toMatchObject({ url: '/x', status: 204, answeredAt: 1.234 });
    }
    expect(readPcap(pcap(packets, { ipv6: true }))[0]!.from).toBe('[0:0:0:0:0:0:0:1]:50000');
  });

  it('refuses what is not a pcap file, and link types it does not know', () => {
    expect(() => readPcap(Buffer.from('GET / HTTP/1.1\r\n\r\n and more bytes'))).toThrow(/not a pcap file/);
    expect(() => readPcap(Buffer.alloc(3))).toThrow(/not a pcap file/);
    const wifi = pcap([]);
    wifi.writeUInt32LE(105, 20);
    expect(() => readPcap(wifi)).toThrow(/link type 105/);
  });
});
