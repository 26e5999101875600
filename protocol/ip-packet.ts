/**
 * The headers of one IPv4 or IPv6 packet, as the edge needs them to apply policy per packet.
 *
 * Pure and Node-free (Uint8Array/DataView only), and on the per-packet path: parsing allocates the
 * result object and, for IPv6, two address views; no bigint until `packetSource`/`packetDestination`.
 * The IPv4 header checksum is not checked: with offload, the kernel may hand over packets before it.
 */
import type { IpAddress } from './ip.js';

export const IP_PROTOCOL_HOP_BY_HOP = 0;
export const IP_PROTOCOL_ICMP = 1;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;
export const IP_PROTOCOL_ROUTING = 43;
export const IP_PROTOCOL_FRAGMENT = 44;
export const IP_PROTOCOL_AH = 51;
export const IP_PROTOCOL_ICMPV6 = 58;
export const IP_PROTOCOL_NO_NEXT_HEADER = 59;
export const IP_PROTOCOL_DESTINATION_OPTIONS = 60;

export const IPV4_MIN_HEADER_BYTES = 20;
export const IPV6_HEADER_BYTES = 40;
export const TCP_MIN_HEADER_BYTES = 20;
export const UDP_HEADER_BYTES = 8;
const ICMP_HEADER_BYTES = 8;

interface IpPacketFields {
  /** The upper-layer protocol: for IPv6, the Next Header at the end of the extension header chain. */
  readonly protocol: number;
  /** TCP/UDP ports; null for other protocols and for fragments other than the first. */
  readonly srcPort: number | null;
  readonly dstPort: number | null;
  /** ICMP/ICMPv6 type and code; null otherwise and for fragments other than the first. */
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  /** The TCP flags byte (FIN 0x01 … CWR 0x80); null otherwise and for fragments other than the first. */
  readonly tcpFlags: number | null;
  /** Where the upper-layer header starts: IPv4 IHL × 4, or 40 plus the IPv6 extension headers. */
  readonly headerLength: number;
  /** IPv4 total length, or IPv6 payload length + 40; at most the buffer (trailing bytes are not the packet's). */
  readonly totalLength: number;
  /** TTL or hop limit. */
  readonly ttl: number;
  /** True for a piece of a larger packet (more-fragments set or an offset), the first piece included; an IPv6 atomic fragment (RFC 6946) is whole. */
  readonly fragment: boolean;
  /** In bytes; above zero only for fragments other than the first, which carry no upper-layer header. */
  readonly fragmentOffset: number;
}

export interface Ipv4PacketInfo extends IpPacketFields {
  readonly version: 4;
  /** Addresses as unsigned 32-bit numbers: 10.0.0.1 is 0x0a000001. */
  readonly src4: number;
  readonly dst4: number;
}

export interface Ipv6PacketInfo extends IpPacketFields {
  readonly version: 6;
  /** 16-byte views into the parsed packet: copy them before its buffer is reused. */
  readonly src6: Uint8Array;
  readonly dst6: Uint8Array;
}

export type IpPacketInfo = Ipv4PacketInfo | Ipv6PacketInfo;

export type IpPacketParse = IpPacketInfo | { readonly error: string };

/** Parses the IP header (and IPv6 extension headers) and the start of TCP/UDP/ICMP. Never throws. */
export function parseIpPacket(bytes: Uint8Array): IpPacketParse {
  if (bytes.length === 0) return { error: 'the packet is empty' };
  const version = u8(bytes, 0) >> 4;
  if (version === 4) return parseIpv4(bytes);
  if (version === 6) return parseIpv6(bytes);
  return { error: `IP version ${version} is neither 4 nor 6` };
}

function parseIpv4(bytes: Uint8Array): IpPacketParse {
  if (bytes.length < IPV4_MIN_HEADER_BYTES) return { error: `an IPv4 header needs ${IPV4_MIN_HEADER_BYTES} bytes, got ${bytes.length}` };
  const headerLength = (u8(bytes, 0) & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_BYTES) return { error: `IPv4 header length ${headerLength} is below ${IPV4_MIN_HEADER_BYTES}` };
  const totalLength = u16(bytes, 2);
  if (totalLength < headerLength) return { error: `IPv4 total length ${totalLength} is shorter than its ${headerLength}-byte header` };
  if (totalLength > bytes.length) return { error: `IPv4 total length ${totalLength} exceeds the ${bytes.length}-byte buffer` };
  const flagsAndOffset = u16(bytes, 6);
  const fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
  const fragment = (flagsAndOffset & 0x2000) !== 0 || fragmentOffset !== 0;
  const info: Writable<Ipv4PacketInfo> = {
    version: 4,
    src4: u32(bytes, 12),
    dst4: u32(bytes, 16),
    protocol: u8(bytes, 9),
    srcPort: null,
    dstPort: null,
    icmpType: null,
    icmpCode: null,
    tcpFlags: null,
    headerLength,
    totalLength,
    ttl: u8(bytes, 8),
    fragment,
    fragmentOffset,
  };
  const problem = readUpperLayer(bytes, info);
  return problem === null ? info : { error: problem };
}

function parseIpv6(bytes: Uint8Array): IpPacketParse {
  if (bytes.length < IPV6_HEADER_BYTES) return { error: `an IPv6 header needs ${IPV6_HEADER_BYTES} bytes, got ${bytes.length}` };
  const payloadLength = u16(bytes, 4);
  // A zero payload length announces a jumbogram (RFC 2675), which no TUN of ours carries.
  if (payloadLength === 0 && u8(bytes, 6) === IP_PROTOCOL_HOP_BY_HOP) return { error: 'IPv6 jumbograms are not supported' };
  const totalLength = IPV6_HEADER_BYTES + payloadLength;
  if (totalLength > bytes.length) return { error: `IPv6 payload length ${payloadLength} exceeds the ${bytes.length - IPV6_HEADER_BYTES} bytes after the header` };
  let protocol = u8(bytes, 6);
  let at = IPV6_HEADER_BYTES;
  let sawFragmentHeader = false;
  let fragment = false;
  let fragmentOffset = 0;
  // Each extension header is at least 8 bytes, so the walk ends within totalLength / 8 steps.
  for (;;) {
    if (protocol === IP_PROTOCOL_HOP_BY_HOP || protocol === IP_PROTOCOL_ROUTING || protocol === IP_PROTOCOL_DESTINATION_OPTIONS || protocol === IP_PROTOCOL_AH) {
      if (protocol === IP_PROTOCOL_HOP_BY_HOP && at !== IPV6_HEADER_BYTES) return { error: 'an IPv6 hop-by-hop header must directly follow the IPv6 header' };
      if (at + 8 > totalLength) return { error: `IPv6 extension header ${protocol} at ${at} is truncated` };
      const length = protocol === IP_PROTOCOL_AH ? (u8(bytes, at + 1) + 2) * 4 : (u8(bytes, at + 1) + 1) * 8;
      if (at + length > totalLength) return { error: `IPv6 extension header ${protocol} at ${at} runs past the packet` };
      protocol = u8(bytes, at);
      at += length;
    } else if (protocol === IP_PROTOCOL_FRAGMENT) {
      if (at + 8 > totalLength) return { error: `IPv6 fragment header at ${at} is truncated` };
      if (sawFragmentHeader) return { error: 'the IPv6 packet has two fragment headers' };
      sawFragmentHeader = true;
      const offsetAndFlags = u16(bytes, at + 2);
      fragmentOffset = offsetAndFlags & 0xfff8;
      fragment = (offsetAndFlags & 0x0001) !== 0 || fragmentOffset !== 0;
      protocol = u8(bytes, at);
      at += 8;
      // What follows a later fragment is payload, not headers.
      if (fragmentOffset !== 0) break;
    } else {
      break;
    }
  }
  const info: Writable<Ipv6PacketInfo> = {
    version: 6,
    src6: bytes.subarray(8, 24),
    dst6: bytes.subarray(24, 40),
    protocol,
    srcPort: null,
    dstPort: null,
    icmpType: null,
    icmpCode: null,
    tcpFlags: null,
    headerLength: at,
    totalLength,
    ttl: u8(bytes, 7),
    fragment,
    fragmentOffset,
  };
  const problem = readUpperLayer(bytes, info);
  return problem === null ? info : { error: problem };
}

// Byte reads rather than a DataView: constructing one per packet costs more than the whole parse.
// Every read is bounds-checked before it is made, so `?? 0` never applies.
function u8(bytes: Uint8Array, at: number): number {
  return bytes[at] ?? 0;
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 0x10000 + u16(bytes, at + 2);
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Fills in ports, ICMP type or TCP flags from the upper-layer header at `info.headerLength`, or
 * returns the problem; filling the result in place keeps parsing to one object. The first fragment
 * must hold the whole fixed upper-layer header, and a TCP fragment may not start at offset 8: both
 * are how tiny or overlapping fragments hide ports and flags from a filter (RFC 1858, RFC 3128).
 */
function readUpperLayer(bytes: Uint8Array, info: Writable<IpPacketFields>): string | null {
  const at = info.headerLength;
  if (info.fragmentOffset !== 0) {
    return info.protocol === IP_PROTOCOL_TCP && info.fragmentOffset === 8 ? 'a TCP fragment at offset 8 overlaps the TCP header' : null;
  }
  const available = info.totalLength - at;
  switch (info.protocol) {
    case IP_PROTOCOL_TCP: {
      if (available < TCP_MIN_HEADER_BYTES) return `a TCP header needs ${TCP_MIN_HEADER_BYTES} bytes, got ${available}`;
      const tcpLength = (u8(bytes, at + 12) >> 4) * 4;
      if (tcpLength < TCP_MIN_HEADER_BYTES) return `TCP data offset ${tcpLength} is below ${TCP_MIN_HEADER_BYTES}`;
      if (!info.fragment && tcpLength > available) return `the ${tcpLength}-byte TCP header runs past the packet`;
      info.srcPort = u16(bytes, at);
      info.dstPort = u16(bytes, at + 2);
      info.tcpFlags = u8(bytes, at + 13);
      return null;
    }
    case IP_PROTOCOL_UDP:
      if (available < UDP_HEADER_BYTES) return `a UDP header needs ${UDP_HEADER_BYTES} bytes, got ${available}`;
      info.srcPort = u16(bytes, at);
      info.dstPort = u16(bytes, at + 2);
      return null;
    case IP_PROTOCOL_ICMP:
    case IP_PROTOCOL_ICMPV6:
      if (available < ICMP_HEADER_BYTES) return `an ICMP header needs ${ICMP_HEADER_BYTES} bytes, got ${available}`;
      info.icmpType = u8(bytes, at);
      info.icmpCode = u8(bytes, at + 1);
      return null;
    default:
      return null;
  }
}

/** The source address, for policy checks with protocol/ip.ts. Allocates a bigint: not per packet. */
export function packetSource(info: IpPacketInfo): IpAddress {
  return info.version === 4 ? { version: 'ipv4', value: BigInt(info.src4) } : { version: 'ipv6', value: ipv6Value(info.src6) };
}

/** The destination address, for policy checks with protocol/ip.ts. Allocates a bigint: not per packet. */
export function packetDestination(info: IpPacketInfo): IpAddress {
  return info.version === 4 ? { version: 'ipv4', value: BigInt(info.dst4) } : { version: 'ipv6', value: ipv6Value(info.dst6) };
}

function ipv6Value(address: Uint8Array): bigint {
  const view = new DataView(address.buffer, address.byteOffset, 16);
  return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
}

/** Lowercase hex of an IPv6 address view, 32 digits: a cheap map key for flow tables. */
export function ipv6Hex(address: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < 16; i += 1) hex += (address[i] ?? 0).toString(16).padStart(2, '0');
  return hex;
}
