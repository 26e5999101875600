import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../../protocol/ip.js';
import { ipv6Hex, packetDestination, packetSource, parseIpPacket, type IpPacketInfo, type IpPacketParse } from '../../../protocol/ip-packet.js';
import { PROTO, TCP_FLAGS, icmpEchoPacket, ipPacket, patternBytes, tcpPacket, udpPacket, type IpOptions } from '../../support/packets.js';

const v4: IpOptions = { src: '10.1.2.3', dst: '192.168.200.7' };
const v6: IpOptions = { src: 'fd00::1:2', dst: '2001:db8::7' };

function parsed(result: IpPacketParse): IpPacketInfo {
  if ('error' in result) throw new Error(`expected a packet, got: ${result.error}`);
  return result;
}

function failure(result: IpPacketParse): string {
  if (!('error' in result)) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('parseIpPacket: IPv4', () => {
  it('reads a TCP packet: addresses as uint32, ports, flags and lengths', () => {
    const packet = tcpPacket({ ...v4, ttl: 33 }, { srcPort: 40000, dstPort: 443, flags: TCP_FLAGS.SYN, payload: patternBytes(10) });
    const info = parsed(parseIpPacket(packet));
    expect(info).toMatchObject({
      version: 4,
      src4: 0x0a010203,
      dst4: 0xc0a8c807,
      protocol: PROTO.TCP,
      srcPort: 40000,
      dstPort: 443,
      tcpFlags: TCP_FLAGS.SYN,
      icmpType: null,
      icmpCode: null,
      headerLength: 20,
      totalLength: 50,
      ttl: 33,
      fragment: false,
      fragmentOffset: 0,
    });
    expect(formatIp(packetSource(info))).toBe('10.1.2.3');
    expect(packetDestination(info)).toEqual(parseIp('192.168.200.7'));
  });

  it('reads UDP ports', () => {
    const info = parsed(parseIpPacket(udpPacket(v4, { srcPort: 5353, dstPort: 53, payload: patternBytes(3) })));
    expect(info).toMatchObject({ protocol: PROTO.UDP, srcPort: 5353, dstPort: 53, tcpFlags: null, totalLength: 31 });
  });

  it('reads the ICMP type and code, with no ports', () => {
    const info = parsed(parseIpPacket(icmpEchoPacket(v4, { type: 3, code: 4 })));
    expect(info).toMatchObject({ protocol: PROTO.ICMP, srcPort: null, dstPort: null, icmpType: 3, icmpCode: 4 });
  });

  it('reports other protocols without ports', () => {
    const info = parsed(parseIpPacket(ipPacket(v4, PROTO.GRE, patternBytes(4))));
    expect(info).toMatchObject({ protocol: PROTO.GRE, srcPort: null, dstPort: null, icmpType: null, tcpFlags: null, headerLength: 20 });
  });

  it('skips IPv4 options to find the ports', () => {
    for (const optionBytes of [4, 12, 40]) {
      const packet = udpPacket({ ...v4, ipv4Options: new Uint8Array(optionBytes).fill(1) }, { srcPort: 1, dstPort: 2 });
      expect(parsed(parseIpPacket(packet))).toMatchObject({ headerLength: 20 + optionBytes, srcPort: 1, dstPort: 2 });
    }
  });

  it('reads ports from a first fragment but not from later ones', () => {
    const first = tcpPacket({ ...v4, fragment: { offset: 0, more: true } }, { srcPort: 7, dstPort: 8, payload: patternBytes(100) });
    expect(parsed(parseIpPacket(first))).toMatchObject({ fragment: true, fragmentOffset: 0, srcPort: 7, dstPort: 8 });
    const later = ipPacket({ ...v4, fragment: { offset: 1480, more: false } }, PROTO.TCP, patternBytes(100));
    expect(parsed(parseIpPacket(later))).toMatchObject({ fragment: true, fragmentOffset: 1480, protocol: PROTO.TCP, srcPort: null, dstPort: null, tcpFlags: null });
    const middleUdp = ipPacket({ ...v4, fragment: { offset: 16, more: true } }, PROTO.UDP, patternBytes(3));
    expect(parsed(parseIpPacket(middleUdp))).toMatchObject({ fragmentOffset: 16, srcPort: null });
  });

  it('refuses fragments that would hide TCP ports or flags (RFC 1858)', () => {
    const overlap = ipPacket({ ...v4, fragment: { offset: 8, more: false } }, PROTO.TCP, patternBytes(40));
    expect(failure(parseIpPacket(overlap))).toMatch(/offset 8/);
    const tiny = ipPacket({ ...v4, fragment: { offset: 0, more: true } }, PROTO.TCP, patternBytes(8));
    expect(failure(parseIpPacket(tiny))).toMatch(/TCP header needs 20/);
  });

  it('ignores bytes past the total length, and reads a packet inside a larger buffer', () => {
    const packet = udpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(5) });
    const padded = new Uint8Array(packet.length + 7);
    padded.set(packet);
    expect(parsed(parseIpPacket(padded))).toMatchObject({ totalLength: packet.length });
    const buffer = new Uint8Array(packet.length + 13);
    buffer.set(packet, 5);
    expect(parsed(parseIpPacket(buffer.subarray(5, 5 + packet.length)))).toMatchObject({ src4: 0x0a010203, srcPort: 1, dstPort: 2 });
  });

  it('ignores the header checksum, which offload may leave unset', () => {
    const packet = udpPacket(v4, { srcPort: 1, dstPort: 2 });
    packet[10] = packet[11] = 0;
    expect(parsed(parseIpPacket(packet))).toMatchObject({ version: 4 });
  });

  it('refuses malformed headers', () => {
    const good = tcpPacket(v4, { srcPort: 1, dstPort: 2 });
    const mutate = (change: (bytes: Uint8Array) => void): string => {
      const bytes = good.slice();
      change(bytes);
      return failure(parseIpPacket(bytes));
    };
    expect(failure(parseIpPacket(new Uint8Array(0)))).toMatch(/empty/);
    expect(mutate((b) => (b[0] = 0x55))).toMatch(/version 5/);
    expect(mutate((b) => (b[0] = 0x44))).toMatch(/header length 16/);
    expect(mutate((b) => (b[3] = 19))).toMatch(/shorter than/);
    expect(mutate((b) => (b[3] = good.length + 1))).toMatch(/exceeds/);
    expect(mutate((b) => (b[32] = 0x40))).toMatch(/data offset 16/);
    expect(mutate((b) => (b[32] = 0x60))).toMatch(/runs past/);
    expect(failure(parseIpPacket(ipPacket(v4, PROTO.UDP, patternBytes(7))))).toMatch(/UDP header needs 8/);
    expect(failure(parseIpPacket(ipPacket(v4, PROTO.ICMP, patternBytes(4))))).toMatch(/ICMP header needs 8/);
  });
});

describe('parseIpPacket: IPv6', () => {
  it('reads a TCP packet with address views', () => {
    const packet = tcpPacket({ ...v6, ttl: 9 }, { srcPort: 1234, dstPort: 80, flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH, payload: patternBytes(20) });
    const info = parsed(parseIpPacket(packet));
    expect(info).toMatchObject({ version: 6, protocol: PROTO.TCP, srcPort: 1234, dstPort: 80, tcpFlags: 0x18, headerLength: 40, totalLength: 80, ttl: 9, fragment: false });
    if (info.version !== 6) throw new Error('not IPv6');
    expect(ipv6Hex(info.src6)).toBe('fd000000000000000000000000010002');
    expect(formatIp(packetSource(info))).toBe('fd00::1:2');
    expect(packetDestination(info)).toEqual(parseIp('2001:db8::7'));
  });

  it('reads UDP and ICMPv6', () => {
    expect(parsed(parseIpPacket(udpPacket(v6, { srcPort: 9, dstPort: 10 })))).toMatchObject({ protocol: PROTO.UDP, srcPort: 9, dstPort: 10, totalLength: 48 });
    expect(parsed(parseIpPacket(icmpEchoPacket(v6)))).toMatchObject({ protocol: PROTO.ICMPV6, icmpType: 128, icmpCode: 0, srcPort: null });
  });

  it('walks hop-by-hop, destination options, routing and AH headers to the upper layer', () => {
    const extensionHeaders = [
      { type: PROTO.HOP_BY_HOP, length: 8 },
      { type: PROTO.DEST_OPTS, length: 16 },
      { type: PROTO.ROUTING, length: 24 },
      { type: PROTO.AH, length: 12 },
      { type: PROTO.DEST_OPTS, length: 8 },
    ];
    const packet = udpPacket({ ...v6, extensionHeaders }, { srcPort: 5, dstPort: 6, payload: patternBytes(9) });
    expect(parsed(parseIpPacket(packet))).toMatchObject({ protocol: PROTO.UDP, headerLength: 40 + 68, srcPort: 5, dstPort: 6, totalLength: packet.length });
  });

  it('stops at No Next Header', () => {
    const packet = ipPacket({ ...v6, extensionHeaders: [{ type: PROTO.DEST_OPTS }] }, PROTO.NO_NEXT, new Uint8Array(0));
    expect(parsed(parseIpPacket(packet))).toMatchObject({ protocol: PROTO.NO_NEXT, headerLength: 48, srcPort: null });
  });

  it('reads ports from a first fragment but not from later ones', () => {
    const first = tcpPacket({ ...v6, extensionHeaders: [{ type: PROTO.HOP_BY_HOP }], fragment: { offset: 0, more: true } }, { srcPort: 7, dstPort: 8 });
    expect(parsed(parseIpPacket(first))).toMatchObject({ fragment: true, fragmentOffset: 0, headerLength: 56, protocol: PROTO.TCP, srcPort: 7, dstPort: 8 });
    const later = ipPacket({ ...v6, fragment: { offset: 1232, more: true } }, PROTO.UDP, patternBytes(3));
    expect(parsed(parseIpPacket(later))).toMatchObject({ fragment: true, fragmentOffset: 1232, protocol: PROTO.UDP, headerLength: 48, srcPort: null, dstPort: null });
    const atomic = udpPacket({ ...v6, fragment: { offset: 0, more: false } }, { srcPort: 1, dstPort: 2 });
    expect(parsed(parseIpPacket(atomic))).toMatchObject({ fragment: false, fragmentOffset: 0, headerLength: 48, srcPort: 1 });
  });

  it('refuses malformed extension header chains and lengths', () => {
    const lateHopByHop = ipPacket({ ...v6, extensionHeaders: [{ type: PROTO.DEST_OPTS }, { type: PROTO.HOP_BY_HOP }] }, PROTO.NO_NEXT, new Uint8Array(0));
    expect(failure(parseIpPacket(lateHopByHop))).toMatch(/hop-by-hop/);
    const twoFragments = ipPacket({ ...v6, fragment: { offset: 0, more: true } }, PROTO.FRAGMENT, new Uint8Array(8));
    expect(failure(parseIpPacket(twoFragments))).toMatch(/two fragment headers/);
    const overlong = ipPacket({ ...v6, extensionHeaders: [{ type: PROTO.DEST_OPTS }] }, PROTO.NO_NEXT, new Uint8Array(0));
    overlong[41] = 1;
    expect(failure(parseIpPacket(overlong))).toMatch(/runs past/);
    const packet = udpPacket(v6, { srcPort: 1, dstPort: 2 });
    const long = packet.slice();
    long[5] = 9;
    expect(failure(parseIpPacket(long))).toMatch(/exceeds/);
    const jumbo = ipPacket({ ...v6, extensionHeaders: [{ type: PROTO.HOP_BY_HOP }] }, PROTO.NO_NEXT, new Uint8Array(0));
    jumbo[5] = 0;
    expect(failure(parseIpPacket(jumbo))).toMatch(/jumbogram/);
    expect(failure(parseIpPacket(packet.subarray(0, 39)))).toMatch(/needs 40/);
  });
});

describe('parseIpPacket: hostile input', () => {
  const samples = [
    tcpPacket({ ...v4, ipv4Options: new Uint8Array(8) }, { srcPort: 1, dstPort: 2, options: new Uint8Array(12), payload: patternBytes(30) }),
    udpPacket({ ...v4, fragment: { offset: 0, more: true } }, { srcPort: 1, dstPort: 2, payload: patternBytes(5) }),
    icmpEchoPacket(v4, { payload: patternBytes(4) }),
    tcpPacket({ ...v6, extensionHeaders: [{ type: PROTO.HOP_BY_HOP }, { type: PROTO.ROUTING, length: 24 }, { type: PROTO.AH, length: 16 }], fragment: { offset: 0, more: true } }, { srcPort: 3, dstPort: 4, payload: patternBytes(12) }),
    icmpEchoPacket(v6, { payload: patternBytes(4) }),
  ];

  it('never throws when cut at any byte, and refuses every cut packet', () => {
    for (const packet of samples) {
      for (let cut = 0; cut < packet.length; cut += 1) {
        expect(failure(parseIpPacket(packet.subarray(0, cut)))).toEqual(expect.any(String));
      }
    }
  });

  it('never throws when cut at any byte with the length fields rewritten to match', () => {
    for (const packet of samples) {
      for (let cut = 0; cut <= packet.length; cut += 1) {
        const bytes = packet.slice(0, cut);
        if (bytes.length >= 6) {
          const length = (bytes[0]! >> 4 === 4 ? cut : cut - 40) & 0xffff;
          const at = bytes[0]! >> 4 === 4 ? 2 : 4;
          bytes[at] = length >> 8;
          bytes[at + 1] = length & 0xff;
        }
        const result = parseIpPacket(bytes);
        if (!('error' in result)) {
          expect(result.totalLength).toBe(cut);
          expect(result.headerLength).toBeLessThanOrEqual(cut);
        }
      }
    }
  });

  it('never throws on random bytes', () => {
    const noise = patternBytes(200_000, 42);
    for (let i = 0; i + 200 <= noise.length; i += 97) {
      const bytes = noise.slice(i, i + 20 + (noise[i]! % 180));
      bytes[0] = ((i & 1) === 0 ? 0x40 : 0x60) | (bytes[0]! & 0x0f);
      const length = bytes[0] >> 4 === 4 ? bytes.length : bytes.length - 40;
      if ((i & 2) === 0 && length >= 0) {
        const at = bytes[0] >> 4 === 4 ? 2 : 4;
        bytes[at] = length >> 8;
        bytes[at + 1] = length & 0xff;
      }
      const result = parseIpPacket(bytes);
      if (!('error' in result)) expect(result.totalLength).toBeLessThanOrEqual(bytes.length);
    }
  });
});
