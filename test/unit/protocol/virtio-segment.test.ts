import { describe, expect, it } from 'vitest';
import {
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_ECN,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_GSO_TCPV6,
  VIRTIO_NET_HDR_GSO_UDP,
} from '../../../protocol/tunnel.js';
import { toPlainPackets, withPlainVirtioHeader } from '../../../protocol/virtio-segment.js';
import {
  TCP_FLAGS,
  checksumsValid,
  concat,
  patternBytes,
  tcpPacket,
  udpPacket,
  icmpEchoPacket,
  upperLayer,
  withPartialChecksum,
  withVirtioHeader,
  type IpOptions,
  type TcpOptions,
} from '../../support/packets.js';

const NEEDS_CSUM = VIRTIO_NET_HDR_F_NEEDS_CSUM;
const DATA_VALID = VIRTIO_NET_HDR_F_DATA_VALID;
const GSO_TCPV4 = VIRTIO_NET_HDR_GSO_TCPV4;
const GSO_UDP = VIRTIO_NET_HDR_GSO_UDP;
const GSO_TCPV6 = VIRTIO_NET_HDR_GSO_TCPV6;
const GSO_ECN = VIRTIO_NET_HDR_GSO_ECN;

const v4: IpOptions = { src: '100.64.3.7', dst: '10.20.30.40' };
const v6: IpOptions = { src: 'fd7a:115c::3', dst: '2001:db8:1::99' };
/** NOP, NOP, timestamp: what Linux puts in every data segment. */
const TIMESTAMP_OPTION = new Uint8Array([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]);

function packets(result: Uint8Array[] | { error: string }): Uint8Array[] {
  if ('error' in result) throw new Error(`expected packets, got: ${result.error}`);
  return result;
}

function failure(result: Uint8Array[] | { error: string }): string {
  if (!('error' in result)) throw new Error(`expected an error, got ${result.length} packets`);
  return result.error;
}

/** A TCP GSO super-packet as a Linux sender writes it to its TUN: partial checksum, NEEDS_CSUM. */
function superPacket(ip: IpOptions, tcp: TcpOptions, gsoSize: number, gsoType: number): Uint8Array {
  const partial = withPartialChecksum(tcpPacket(ip, tcp));
  const tcpLength = 20 + (tcp.options?.length ?? 0);
  return withVirtioHeader(partial.packet, {
    flags: NEEDS_CSUM,
    gsoType,
    gsoSize,
    hdrLen: partial.csumStart + tcpLength,
    csumStart: partial.csumStart,
    csumOffset: partial.csumOffset,
  });
}

/** What a sender without offload would have sent instead, built independently, segment by segment. */
function expectedSegments(ip: IpOptions, tcp: TcpOptions, gsoSize: number): Uint8Array[] {
  const payload = tcp.payload ?? new Uint8Array(0);
  const count = Math.max(1, Math.ceil(payload.length / gsoSize));
  const flags = tcp.flags ?? TCP_FLAGS.ACK;
  return Array.from({ length: count }, (_, i) => {
    let segmentFlags = flags;
    if (i < count - 1) segmentFlags &= ~(TCP_FLAGS.FIN | TCP_FLAGS.PSH);
    if (i > 0) segmentFlags &= ~TCP_FLAGS.CWR;
    return tcpPacket(
      { ...ip, id: ((ip.id ?? 0x1234) + i) & 0xffff },
      { ...tcp, flags: segmentFlags, seq: ((tcp.seq ?? 1000) + i * gsoSize) % 2 ** 32, payload: payload.subarray(i * gsoSize, (i + 1) * gsoSize) },
    );
  });
}

function seqOf(packet: Uint8Array): number {
  const { offset } = upperLayer(packet);
  return new DataView(packet.buffer, packet.byteOffset).getUint32(offset + 4);
}

function flagsOf(packet: Uint8Array): number {
  return packet[upperLayer(packet).offset + 13]!;
}

describe('plain packets', () => {
  it('prefixes a zero header, and reads it back as the same packet without copying', () => {
    const packet = udpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(9) });
    const offload = withPlainVirtioHeader(packet);
    expect(offload.subarray(0, 10)).toEqual(new Uint8Array(10));
    expect(offload.subarray(10)).toEqual(packet);
    const [plain, ...rest] = packets(toPlainPackets(offload));
    expect(rest).toHaveLength(0);
    expect(plain).toEqual(packet);
    expect(plain!.buffer).toBe(offload.buffer);
  });

  it('passes a DATA_VALID packet through', () => {
    const packet = tcpPacket(v6, { srcPort: 1, dstPort: 2 });
    expect(packets(toPlainPackets(withVirtioHeader(packet, { flags: DATA_VALID })))).toEqual([packet]);
  });
});

describe('NEEDS_CSUM completion', () => {
  const cases: [string, Uint8Array][] = [
    ['TCP over IPv4', tcpPacket(v4, { srcPort: 40000, dstPort: 443, options: TIMESTAMP_OPTION, payload: patternBytes(1001) })],
    ['TCP over IPv4 with options', tcpPacket({ ...v4, ipv4Options: new Uint8Array([7, 7, 4, 0]) }, { srcPort: 1, dstPort: 2, payload: patternBytes(64) })],
    ['UDP over IPv4', udpPacket(v4, { srcPort: 5353, dstPort: 53, payload: patternBytes(77, 3) })],
    ['TCP over IPv6', tcpPacket(v6, { srcPort: 40000, dstPort: 443, payload: patternBytes(1400, 5) })],
    ['UDP over IPv6', udpPacket(v6, { srcPort: 5353, dstPort: 53, payload: patternBytes(3, 9) })],
    ['UDP over IPv6 with extension headers', udpPacket({ ...v6, extensionHeaders: [{ type: 0 }, { type: 60, length: 16 }] }, { srcPort: 1, dstPort: 2, payload: patternBytes(20) })],
    ['ICMPv6', icmpEchoPacket(v6, { payload: patternBytes(33) })],
  ];

  it.each(cases)('%s: completes the checksum the sender left partial', (_name, packet) => {
    expect(checksumsValid(packet)).toBe(true);
    const partial = withPartialChecksum(packet);
    expect(checksumsValid(partial.packet)).toBe(false);
    const offload = withVirtioHeader(partial.packet, { flags: NEEDS_CSUM, csumStart: partial.csumStart, csumOffset: partial.csumOffset });
    const [plain, ...rest] = packets(toPlainPackets(offload));
    expect(rest).toHaveLength(0);
    expect(checksumsValid(plain!)).toBe(true);
    expect(plain).toEqual(packet);
    expect(offload.subarray(10)).toEqual(partial.packet);
  });

  it('drops bytes past the IP total length before summing', () => {
    const packet = udpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(10) });
    const partial = withPartialChecksum(packet);
    const padded = concat(partial.packet, new Uint8Array([0xde, 0xad, 0xbe]));
    const [plain] = packets(toPlainPackets(withVirtioHeader(padded, { flags: NEEDS_CSUM, csumStart: partial.csumStart, csumOffset: partial.csumOffset })));
    expect(plain).toEqual(packet);
  });

  it('sends a zero UDP checksum as 0xffff, since zero means none', () => {
    // Search for a payload word that makes the UDP checksum come out as 0xffff (the 0 of ones-complement).
    for (let word = 0; word < 0x10000; word += 1) {
      const packet = udpPacket(v4, { srcPort: 1, dstPort: 2, payload: new Uint8Array([word >> 8, word & 0xff]) });
      if (packet[26] !== 0xff || packet[27] !== 0xff) continue;
      const partial = withPartialChecksum(packet);
      const [plain] = packets(toPlainPackets(withVirtioHeader(partial.packet, { flags: NEEDS_CSUM, csumStart: 20, csumOffset: 6 })));
      expect(plain!.subarray(26, 28)).toEqual(new Uint8Array([0xff, 0xff]));
      expect(checksumsValid(plain!)).toBe(true);
      return;
    }
    throw new Error('no payload gives a zero checksum');
  });

  it('refuses a checksum field outside the upper layer', () => {
    const packet = udpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(4) });
    expect(failure(toPlainPackets(withVirtioHeader(packet, { flags: NEEDS_CSUM, csumStart: 10, csumOffset: 0 })))).toMatch(/inside the 20-byte IP header/);
    const padded = concat(packet, new Uint8Array(8));
    expect(failure(toPlainPackets(withVirtioHeader(padded, { flags: NEEDS_CSUM, csumStart: 20, csumOffset: 14 })))).toMatch(/outside the 32-byte IP packet/);
    const garbage = withVirtioHeader(patternBytes(60), { flags: NEEDS_CSUM, csumStart: 20, csumOffset: 6 });
    garbage[10] = 0x70;
    expect(failure(toPlainPackets(garbage))).toMatch(/version 7/);
  });
});

describe('TCP segmentation', () => {
  const tcp: TcpOptions = {
    srcPort: 443,
    dstPort: 51000,
    seq: 2 ** 32 - 3000,
    ack: 77,
    flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH | TCP_FLAGS.FIN | TCP_FLAGS.CWR | TCP_FLAGS.ECE,
    options: TIMESTAMP_OPTION,
    payload: patternBytes(10_000, 11),
  };

  it.each([
    ['tcpv4', { ...v4, id: 0xfffd, dontFragment: true }, GSO_TCPV4],
    ['tcpv4 with IPv4 options', { ...v4, id: 9, ipv4Options: new Uint8Array([1, 1, 1, 0]) }, GSO_TCPV4],
    ['tcpv4 with the ECN bit', { ...v4, id: 1 }, GSO_TCPV4 | GSO_ECN],
    ['tcpv6', v6, GSO_TCPV6],
    ['tcpv6 with the ECN bit', v6, GSO_TCPV6 | GSO_ECN],
  ])('%s: cuts a super-packet into gso_size segments', (_name, ip: IpOptions, gsoType) => {
    const gsoSize = 1448;
    const segments = packets(toPlainPackets(superPacket(ip, tcp, gsoSize, gsoType)));
    expect(segments).toHaveLength(7);
    const headers = upperLayer(segments[0]!).offset + 32;
    segments.forEach((segment, i) => {
      const payloadLength = i < 6 ? gsoSize : 10_000 - 6 * gsoSize;
      expect(segment.length).toBe(headers + payloadLength);
      expect(checksumsValid(segment)).toBe(true);
      expect(seqOf(segment)).toBe((tcp.seq! + i * gsoSize) % 2 ** 32);
      if (ip.src.includes('.')) {
        expect((segment[2]! << 8) | segment[3]!).toBe(segment.length);
        expect((segment[4]! << 8) | segment[5]!).toBe(((ip.id ?? 0) + i) & 0xffff);
      } else {
        expect((segment[4]! << 8) | segment[5]!).toBe(segment.length - 40);
      }
    });
    expect(segments.map(flagsOf)).toEqual([
      TCP_FLAGS.ACK | TCP_FLAGS.ECE | TCP_FLAGS.CWR,
      ...new Array<number>(5).fill(TCP_FLAGS.ACK | TCP_FLAGS.ECE),
      TCP_FLAGS.ACK | TCP_FLAGS.ECE | TCP_FLAGS.PSH | TCP_FLAGS.FIN,
    ]);
    expect(concat(...segments.map((segment) => segment.subarray(headers)))).toEqual(tcp.payload);
    expect(segments).toEqual(expectedSegments(ip, tcp, gsoSize));
  });

  it.each([
    ['an odd gso_size', 1001, 10],
    ['a payload that divides evenly', 1000, 10],
    ['a gso_size larger than the payload', 20_000, 1],
    ['a one-byte gso_size', 1, 10_000],
  ])('handles %s', (_name, gsoSize, count) => {
    for (const [ip, gsoType] of [[v4, GSO_TCPV4], [v6, GSO_TCPV6]] as const) {
      const segments = packets(toPlainPackets(superPacket(ip, tcp, gsoSize, gsoType)));
      expect(segments).toHaveLength(count);
      expect(segments.every(checksumsValid)).toBe(true);
      if (count <= 10) expect(segments).toEqual(expectedSegments(ip, tcp, gsoSize));
    }
  });

  it('sends a bare header (a FIN without data) as one segment', () => {
    const fin: TcpOptions = { srcPort: 1, dstPort: 2, flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK };
    expect(packets(toPlainPackets(superPacket(v4, fin, 1448, GSO_TCPV4)))).toEqual([tcpPacket(v4, fin)]);
  });

  it('refuses GSO that does not match the packet', () => {
    const small: TcpOptions = { srcPort: 1, dstPort: 2, payload: patternBytes(3000) };
    expect(failure(toPlainPackets(superPacket(v6, small, 1000, GSO_TCPV4)))).toMatch(/tcpv4 on an IPv6 packet/);
    expect(failure(toPlainPackets(superPacket(v4, small, 1000, GSO_TCPV6)))).toMatch(/tcpv6 on an IPv4 packet/);
    const udp = withPartialChecksum(udpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(3000) }));
    expect(failure(toPlainPackets(withVirtioHeader(udp.packet, { flags: NEEDS_CSUM, gsoType: GSO_TCPV4, gsoSize: 1000, csumStart: 20, csumOffset: 16 })))).toMatch(
      /protocol 17/,
    );
    const fragment = withPartialChecksum(tcpPacket({ ...v4, fragment: { offset: 0, more: true } }, small));
    expect(failure(toPlainPackets(withVirtioHeader(fragment.packet, { flags: NEEDS_CSUM, gsoType: GSO_TCPV4, gsoSize: 1000, csumStart: 20, csumOffset: 16 })))).toMatch(
      /fragment/,
    );
    const extended = withPartialChecksum(tcpPacket({ ...v6, extensionHeaders: [{ type: 60 }] }, small));
    expect(failure(toPlainPackets(withVirtioHeader(extended.packet, { flags: NEEDS_CSUM, gsoType: GSO_TCPV6, gsoSize: 1000, csumStart: 48, csumOffset: 16 })))).toMatch(
      /extension headers/,
    );
    const shifted = superPacket(v4, small, 1000, GSO_TCPV4);
    shifted[2] = shifted[3] = 0;
    shifted[6] = 16;
    expect(failure(toPlainPackets(shifted))).toMatch(/csum_start 16 is not the TCP header at 20/);
  });
});

describe('invalid offload packets', () => {
  const packet = tcpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(3000) });

  it('refuses headers that protocol/tunnel.ts refuses', () => {
    expect(failure(toPlainPackets(new Uint8Array(9)))).toMatch(/needs 10 bytes/);
    expect(failure(toPlainPackets(new Uint8Array(10)))).toMatch(/no IP packet/);
    expect(failure(toPlainPackets(withVirtioHeader(packet, { flags: 0x04 })))).toMatch(/unknown flags/);
    expect(failure(toPlainPackets(withVirtioHeader(packet, { gsoType: 2 })))).toMatch(/unknown GSO type/);
    expect(failure(toPlainPackets(withVirtioHeader(packet, { flags: NEEDS_CSUM, gsoType: GSO_UDP, gsoSize: 1000, csumStart: 20, csumOffset: 6 })))).toMatch(/not negotiated/);
    expect(failure(toPlainPackets(withVirtioHeader(packet, { gsoType: GSO_TCPV4, gsoSize: 1000 })))).toMatch(/without NEEDS_CSUM/);
    expect(failure(toPlainPackets(withVirtioHeader(packet, { flags: NEEDS_CSUM, gsoType: GSO_TCPV4, gsoSize: 0, csumStart: 20, csumOffset: 16 })))).toMatch(/gso_size 0/);
    expect(failure(toPlainPackets(withVirtioHeader(packet, { flags: NEEDS_CSUM, gsoType: GSO_TCPV4, gsoSize: 1000, csumStart: 20, csumOffset: 10 })))).toMatch(/csum_offset/);
  });

  it('never throws when a super-packet is cut at any byte', () => {
    const offload = superPacket(v6, { srcPort: 1, dstPort: 2, options: TIMESTAMP_OPTION, payload: patternBytes(300) }, 100, GSO_TCPV6);
    for (let cut = 0; cut < offload.length; cut += 1) {
      const bytes = offload.slice(0, cut);
      if (cut >= 16) {
        bytes[14] = (cut - 50) >> 8;
        bytes[15] = (cut - 50) & 0xff;
      }
      const result = toPlainPackets(bytes);
      if (!('error' in result)) expect(result.every(checksumsValid)).toBe(true);
    }
  });

  it('never throws on random headers over real packets', () => {
    const noise = patternBytes(10_000, 99);
    const ip = tcpPacket(v4, { srcPort: 1, dstPort: 2, payload: patternBytes(200) });
    for (let i = 0; i + 10 <= noise.length; i += 10) {
      const header = noise.slice(i, i + 10);
      header[0] = header[0]! & 0x03;
      header[1] = header[1]! & 0x85;
      header[5] = 0;
      header[7] = 0;
      expect(() => toPlainPackets(concat(header, ip))).not.toThrow();
    }
  });
});
