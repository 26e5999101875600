/**
 * Builds IPv4/IPv6 packets with correct checksums, and checks checksums, for tests.
 *
 * Written to be obviously right rather than fast, and independent of protocol/ip-packet.ts and
 * protocol/virtio-segment.ts, so that tests of those prove something: byte-at-a-time checksums,
 * headers assembled field by field.
 */
import { parseIp } from '../../protocol/ip.js';

export const PROTO = { HOP_BY_HOP: 0, ICMP: 1, TCP: 6, UDP: 17, ROUTING: 43, FRAGMENT: 44, AH: 51, ICMPV6: 58, NO_NEXT: 59, DEST_OPTS: 60, GRE: 47 } as const;

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** An IPv6 extension header placed between the fixed header and the upper layer. */
export interface ExtensionHeader {
  /** HOP_BY_HOP, ROUTING, DEST_OPTS or AH; FRAGMENT is built from `fragment` instead. */
  readonly type: number;
  /** Total length in bytes: a multiple of 8 (AH: of 4), at least 8. Defaults to 8. */
  readonly length?: number;
}

export interface IpOptions {
  readonly src: string;
  readonly dst: string;
  readonly ttl?: number;
  /** IPv4 identification, or the IPv6 fragment header's identification. */
  readonly id?: number;
  readonly dontFragment?: boolean;
  /** IPv4 options, padded with zeros (end of options) to a multiple of 4 bytes. */
  readonly ipv4Options?: Uint8Array;
  readonly extensionHeaders?: readonly ExtensionHeader[];
  /** IPv4 flags and offset, or an IPv6 fragment header after `extensionHeaders`. Offset in bytes. */
  readonly fragment?: { readonly offset: number; readonly more: boolean };
}

export function addressBytes(text: string): Uint8Array {
  const address = parseIp(text);
  if (address === null) throw new Error(`bad address ${text}`);
  const length = address.version === 'ipv4' ? 4 : 16;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = Number((address.value >> BigInt(8 * (length - 1 - i))) & 0xffn);
  return bytes;
}

function isV6(ip: IpOptions): boolean {
  return ip.src.includes(':');
}

/** RFC 1071, one 16-bit word at a time with the carry folded at every step. */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  const bytes = concat(...parts);
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    const word = (bytes[i]! << 8) | (i + 1 < bytes.length ? bytes[i + 1]! : 0);
    sum += word;
    if (sum > 0xffff) sum = (sum & 0xffff) + 1;
  }
  return ~sum & 0xffff;
}

export function pseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (src.length === 4) return concat(src, dst, new Uint8Array([0, protocol, length >> 8, length & 0xff]));
  return concat(src, dst, new Uint8Array([length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0, 0, 0, protocol]));
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** An IP packet around `body` (which already carries its own upper-layer checksum, if any). */
export function ipPacket(ip: IpOptions, protocol: number, body: Uint8Array): Uint8Array {
  const src = addressBytes(ip.src);
  const dst = addressBytes(ip.dst);
  if (src.length === 4) {
    const options = ip.ipv4Options ?? new Uint8Array(0);
    const optionsLength = Math.ceil(options.length / 4) * 4;
    const header = new Uint8Array(20 + optionsLength);
    header.set(options, 20);
    const total = header.length + body.length;
    header[0] = 0x40 | (header.length / 4);
    header[2] = total >> 8;
    header[3] = total & 0xff;
    header[4] = ((ip.id ?? 0x1234) >> 8) & 0xff;
    header[5] = (ip.id ?? 0x1234) & 0xff;
    const offsetUnits = (ip.fragment?.offset ?? 0) / 8;
    const flags = (ip.dontFragment === true ? 0x4000 : 0) | (ip.fragment?.more === true ? 0x2000 : 0) | offsetUnits;
    header[6] = flags >> 8;
    header[7] = flags & 0xff;
    header[8] = ip.ttl ?? 64;
    header[9] = protocol;
    header.set(src, 12);
    header.set(dst, 16);
    const checksum = internetChecksum(header);
    header[10] = checksum >> 8;
    header[11] = checksum & 0xff;
    return concat(header, body);
  }
  const chain: { type: number; bytes: Uint8Array }[] = (ip.extensionHeaders ?? []).map((ext) => {
    const length = ext.length ?? 8;
    const bytes = new Uint8Array(length);
    bytes[1] = ext.type === PROTO.AH ? length / 4 - 2 : length / 8 - 1;
    return { type: ext.type, bytes };
  });
  if (ip.fragment !== undefined) {
    const bytes = new Uint8Array(8);
    const field = ip.fragment.offset | (ip.fragment.more ? 1 : 0);
    bytes[2] = field >> 8;
    bytes[3] = field & 0xff;
    bytes[7] = (ip.id ?? 0x1234) & 0xff;
    chain.push({ type: PROTO.FRAGMENT, bytes });
  }
  chain.forEach((ext, i) => (ext.bytes[0] = chain[i + 1]?.type ?? protocol));
  const extensions = concat(...chain.map((ext) => ext.bytes));
  const payloadLength = extensions.length + body.length;
  const header = new Uint8Array(40);
  header[0] = 0x60;
  header[4] = payloadLength >> 8;
  header[5] = payloadLength & 0xff;
  header[6] = chain[0]?.type ?? protocol;
  header[7] = ip.ttl ?? 64;
  header.set(src, 8);
  header.set(dst, 24);
  return concat(header, extensions, body);
}

export interface TcpOptions {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq?: number;
  readonly ack?: number;
  readonly flags?: number;
  readonly window?: number;
  /** TCP options, padded with zeros to a multiple of 4 bytes. */
  readonly options?: Uint8Array;
  readonly payload?: Uint8Array;
}

/** The TCP header and payload with its checksum over the pseudo-header of `ip`. */
export function tcpBody(ip: IpOptions, tcp: TcpOptions): Uint8Array {
  const options = tcp.options ?? new Uint8Array(0);
  const header = new Uint8Array(20 + Math.ceil(options.length / 4) * 4);
  header.set(options, 20);
  const view = new DataView(header.buffer);
  view.setUint16(0, tcp.srcPort);
  view.setUint16(2, tcp.dstPort);
  view.setUint32(4, tcp.seq ?? 1000);
  view.setUint32(8, tcp.ack ?? 0);
  header[12] = (header.length / 4) << 4;
  header[13] = tcp.flags ?? TCP_FLAGS.ACK;
  view.setUint16(14, tcp.window ?? 65535);
  return withChecksum(ip, PROTO.TCP, concat(header, tcp.payload ?? new Uint8Array(0)), 16);
}

export function tcpPacket(ip: IpOptions, tcp: TcpOptions): Uint8Array {
  return ipPacket(ip, PROTO.TCP, tcpBody(ip, tcp));
}

export interface UdpOptions {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload?: Uint8Array;
}

export function udpPacket(ip: IpOptions, udp: UdpOptions): Uint8Array {
  const payload = udp.payload ?? new Uint8Array(0);
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint16(0, udp.srcPort);
  view.setUint16(2, udp.dstPort);
  view.setUint16(4, 8 + payload.length);
  const body = withChecksum(ip, PROTO.UDP, concat(header, payload), 6);
  if (body[6] === 0 && body[7] === 0) body[6] = body[7] = 0xff;
  return ipPacket(ip, PROTO.UDP, body);
}

/** An ICMP echo request, or ICMPv6 when `ip` is IPv6 (whose checksum covers a pseudo-header). */
export function icmpEchoPacket(ip: IpOptions, echo: { readonly id?: number; readonly seq?: number; readonly payload?: Uint8Array; readonly type?: number; readonly code?: number } = {}): Uint8Array {
  const v6 = isV6(ip);
  const header = new Uint8Array(8);
  header[0] = echo.type ?? (v6 ? 128 : 8);
  header[1] = echo.code ?? 0;
  const view = new DataView(header.buffer);
  view.setUint16(4, echo.id ?? 7);
  view.setUint16(6, echo.seq ?? 1);
  const message = concat(header, echo.payload ?? new Uint8Array(0));
  if (v6) return ipPacket(ip, PROTO.ICMPV6, withChecksum(ip, PROTO.ICMPV6, message, 2));
  const checksum = internetChecksum(message);
  message[2] = checksum >> 8;
  message[3] = checksum & 0xff;
  return ipPacket(ip, PROTO.ICMP, message);
}

function withChecksum(ip: IpOptions, protocol: number, body: Uint8Array, field: number): Uint8Array {
  const checksum = internetChecksum(pseudoHeader(addressBytes(ip.src), addressBytes(ip.dst), protocol, body.length), body);
  body[field] = checksum >> 8;
  body[field + 1] = checksum & 0xff;
  return body;
}

const EXTENSION_HEADERS = new Set<number>([PROTO.HOP_BY_HOP, PROTO.ROUTING, PROTO.DEST_OPTS, PROTO.AH, PROTO.FRAGMENT]);

/** Where the upper layer starts and which protocol it is, walking IPv6 extension headers. */
export function upperLayer(packet: Uint8Array): { offset: number; protocol: number; end: number } {
  if (packet[0]! >> 4 === 4) return { offset: (packet[0]! & 0x0f) * 4, protocol: packet[9]!, end: (packet[2]! << 8) | packet[3]! };
  let protocol = packet[6]!;
  let offset = 40;
  while (EXTENSION_HEADERS.has(protocol)) {
    const length = protocol === PROTO.FRAGMENT ? 8 : protocol === PROTO.AH ? (packet[offset + 1]! + 2) * 4 : (packet[offset + 1]! + 1) * 8;
    protocol = packet[offset]!;
    offset += length;
  }
  return { offset, protocol, end: 40 + ((packet[4]! << 8) | packet[5]!) };
}

/**
 * True when an unfragmented packet's IPv4 header checksum and its TCP, UDP, ICMP or ICMPv6 checksum
 * all verify; other protocols need only the IPv4 header checksum.
 */
export function checksumsValid(packet: Uint8Array): boolean {
  const v4 = packet[0]! >> 4 === 4;
  const { offset, protocol, end } = upperLayer(packet);
  if (v4 && internetChecksum(packet.subarray(0, offset)) !== 0) return false;
  const body = packet.subarray(offset, end);
  const src = v4 ? packet.subarray(12, 16) : packet.subarray(8, 24);
  const dst = v4 ? packet.subarray(16, 20) : packet.subarray(24, 40);
  if (protocol === PROTO.TCP || protocol === PROTO.UDP || protocol === PROTO.ICMPV6) {
    return internetChecksum(pseudoHeader(src, dst, protocol, body.length), body) === 0;
  }
  if (protocol === PROTO.ICMP) return internetChecksum(body) === 0;
  return true;
}

export interface VirtioFields {
  readonly flags?: number;
  readonly gsoType?: number;
  readonly hdrLen?: number;
  readonly gsoSize?: number;
  readonly csumStart?: number;
  readonly csumOffset?: number;
}

/** A virtio_net_hdr (u16s little-endian) followed by `packet`. */
export function withVirtioHeader(packet: Uint8Array, fields: VirtioFields): Uint8Array {
  const out = new Uint8Array(10 + packet.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, fields.flags ?? 0);
  view.setUint8(1, fields.gsoType ?? 0);
  view.setUint16(2, fields.hdrLen ?? 0, true);
  view.setUint16(4, fields.gsoSize ?? 0, true);
  view.setUint16(6, fields.csumStart ?? 0, true);
  view.setUint16(8, fields.csumOffset ?? 0, true);
  out.set(packet, 10);
  return out;
}

/**
 * What a Linux sender hands its TUN with CHECKSUM_PARTIAL: the packet with its TCP/UDP checksum
 * field holding the folded, uninverted pseudo-header sum instead of the full checksum
 * (`th->check = ~tcp_v4_check(len, saddr, daddr, 0)`). Returns the packet and the field's offset.
 */
export function withPartialChecksum(packet: Uint8Array): { packet: Uint8Array; csumStart: number; csumOffset: number } {
  const v4 = packet[0]! >> 4 === 4;
  const { offset, protocol, end } = upperLayer(packet);
  const csumOffset = protocol === PROTO.TCP ? 16 : protocol === PROTO.UDP ? 6 : 2;
  const src = v4 ? packet.subarray(12, 16) : packet.subarray(8, 24);
  const dst = v4 ? packet.subarray(16, 20) : packet.subarray(24, 40);
  const partial = ~internetChecksum(pseudoHeader(src, dst, protocol, end - offset)) & 0xffff;
  const out = packet.slice();
  out[offset + csumOffset] = partial >> 8;
  out[offset + csumOffset + 1] = partial & 0xff;
  return { packet: out, csumStart: offset, csumOffset };
}

/** Deterministic bytes, so a payload's pieces can be told apart after segmentation. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}
