/**
 * Converts between offload packets (virtio_net_hdr + IP packet, what a Linux TUN with IFF_VNET_HDR
 * and TUNSETOFFLOAD CSUM|TSO4|TSO6|TSO_ECN reads and writes) and plain IP packets, so either side of
 * the tunnel may have offload while the other has not.
 *
 * Pure and Node-free, and on the per-packet path: one buffer per output packet, none when a packet
 * needs no work. Segmentation follows the kernel's software GSO (tcp_gso_segment, inet_gso_segment,
 * ipv6_gso_segment), so a device sees the same segments it would from a TUN without offload.
 */
import { IP_PROTOCOL_TCP, IPV6_HEADER_BYTES, parseIpPacket, type IpPacketInfo } from './ip-packet.js';
import {
  VIRTIO_NET_HDR_BYTES,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  parseVirtioNetHeader,
  validateVirtioNetHeader,
  type VirtioNetHeader,
} from './tunnel.js';

const TCP_FLAG_FIN = 0x01;
const TCP_FLAG_PSH = 0x08;
const TCP_FLAG_CWR = 0x80;

/**
 * The plain IP packets an offload packet stands for: its checksum completed when it asks for one,
 * and a TCP GSO super-packet cut into segments of gso_size payload bytes. A packet that needs
 * neither comes back as a view into `packet`, not a copy. Never throws.
 */
export function toPlainPackets(packet: Uint8Array): Uint8Array[] | { error: string } {
  const hdr = parseVirtioNetHeader(packet);
  if ('error' in hdr) return hdr;
  const problem = validateVirtioNetHeader(hdr, packet.length - VIRTIO_NET_HDR_BYTES);
  if (problem !== null) return { error: problem };
  const ip = packet.subarray(VIRTIO_NET_HDR_BYTES);
  const needsCsum = (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0;
  if (hdr.gso === 'none' && !needsCsum) return [ip];
  const info = parseIpPacket(ip);
  if ('error' in info) return info;
  if (hdr.gso === 'none') {
    const completed = completeChecksum(ip, info, hdr);
    return typeof completed === 'string' ? { error: completed } : [completed];
  }
  return segmentTcp(ip, info, hdr);
}

/** Prefixes a header that asks for nothing (GSO_NONE, no flags), for writing a plain packet to an offload TUN. */
export function withPlainVirtioHeader(packet: Uint8Array): Uint8Array {
  const out = new Uint8Array(VIRTIO_NET_HDR_BYTES + packet.length);
  out.set(packet, VIRTIO_NET_HDR_BYTES);
  return out;
}

/**
 * NEEDS_CSUM: the field at csum_start + csum_offset holds the pseudo-header sum; the sum from
 * csum_start to the end of the packet, field included, folded and inverted, replaces it. Like the
 * kernel's skb_checksum_help, a result of 0 is sent as 0xffff, which UDP reads as "no checksum" otherwise.
 */
function completeChecksum(ip: Uint8Array, info: IpPacketInfo, hdr: VirtioNetHeader): Uint8Array | string {
  const field = hdr.csumStart + hdr.csumOffset;
  if (hdr.csumStart < info.headerLength) return `csum_start ${hdr.csumStart} lies inside the ${info.headerLength}-byte IP header`;
  if (field + 2 > info.totalLength) return `the checksum field at ${field} lies outside the ${info.totalLength}-byte IP packet`;
  const view = new DataView(ip.buffer, ip.byteOffset, info.totalLength);
  const out = ip.slice(0, info.totalLength);
  const checksum = ~fold(sumRange(view, hdr.csumStart, info.totalLength)) & 0xffff;
  put16(out, field, checksum === 0 ? 0xffff : checksum);
  return out;
}

function segmentTcp(ip: Uint8Array, info: IpPacketInfo, hdr: VirtioNetHeader): Uint8Array[] | { error: string } {
  const wanted = hdr.gso === 'tcpv4' ? 4 : 6;
  if (info.version !== wanted) return { error: `GSO ${hdr.gso} on an IPv${info.version} packet` };
  if (info.protocol !== IP_PROTOCOL_TCP) return { error: `GSO ${hdr.gso} on IP protocol ${info.protocol}` };
  if (info.fragment) return { error: `GSO ${hdr.gso} on a fragment` };
  // The pseudo-header must name the final destination, which a routing header would change.
  if (info.version === 6 && info.headerLength !== IPV6_HEADER_BYTES) return { error: 'GSO tcpv6 with IPv6 extension headers is not supported' };
  if (hdr.csumStart !== info.headerLength) return { error: `csum_start ${hdr.csumStart} is not the TCP header at ${info.headerLength}` };

  const view = new DataView(ip.buffer, ip.byteOffset, info.totalLength);
  const tcpStart = info.headerLength;
  const tcpLength = (view.getUint8(tcpStart + 12) >> 4) * 4;
  const headersLength = tcpStart + tcpLength;
  const payloadLength = info.totalLength - headersLength;
  const gsoSize = hdr.gsoSize;
  const count = payloadLength === 0 ? 1 : Math.ceil(payloadLength / gsoSize);
  const addressSum = info.version === 4 ? sumRange(view, 12, 20) : sumRange(view, 8, 40);
  const seq = view.getUint32(tcpStart + 4);
  const flags = view.getUint8(tcpStart + 13);
  const ipId = info.version === 4 ? view.getUint16(4) : 0;
  const headers = ip.subarray(0, headersLength);

  const segments = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i += 1) {
    const offset = i * gsoSize;
    const length = Math.min(gsoSize, payloadLength - offset);
    const payloadStart = headersLength + offset;
    const out = new Uint8Array(headersLength + length);
    out.set(headers);
    out.set(ip.subarray(payloadStart, payloadStart + length), headersLength);

    if (info.version === 4) {
      put16(out, 2, out.length);
      put16(out, 4, (ipId + i) & 0xffff);
      put16(out, 10, 0);
      put16(out, 10, ~fold(sumBytes(out, 0, tcpStart)) & 0xffff);
    } else {
      put16(out, 4, out.length - IPV6_HEADER_BYTES);
    }

    let segmentFlags = flags;
    if (i !== count - 1) segmentFlags &= ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
    if (i !== 0) segmentFlags &= ~TCP_FLAG_CWR;
    out[tcpStart + 13] = segmentFlags;
    put32(out, tcpStart + 4, (seq + offset) >>> 0);
    put16(out, tcpStart + 16, 0);
    // Pseudo-header: addresses, protocol and TCP length; IPv4's 16-bit and IPv6's 32-bit length sum alike below 64 KiB.
    const sum = addressSum + IP_PROTOCOL_TCP + tcpLength + length + sumBytes(out, tcpStart, headersLength) + sumRange(view, payloadStart, payloadStart + length);
    put16(out, tcpStart + 16, ~fold(sum) & 0xffff);
    segments[i] = out;
  }
  return segments;
}

/**
 * The ones-complement sum of [start, end), 16-bit big-endian words paired from `start`, unfolded.
 * Reads 32-bit words: hi·2¹⁶ + lo ≡ hi + lo modulo 0xffff, which is all a ones-complement sum is.
 * Exact while below 2⁵³, that is for anything shorter than 8 TiB.
 */
function sumRange(view: DataView, start: number, end: number): number {
  let sum = 0;
  let at = start;
  for (; at + 4 <= end; at += 4) sum += view.getUint32(at);
  if (at + 2 <= end) {
    sum += view.getUint16(at);
    at += 2;
  }
  if (at < end) sum += view.getUint8(at) << 8;
  return sum;
}

/** sumRange for the few header bytes of a fresh segment, without a DataView per segment. */
function sumBytes(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let at = start;
  for (; at + 1 < end; at += 2) sum += ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  if (at < end) sum += (bytes[at] ?? 0) << 8;
  return sum;
}

/** End-around carry down to 16 bits; the sum may exceed 2³², beyond bitwise operators. */
function fold(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded % 0x10000) + Math.floor(folded / 0x10000);
  return folded;
}

function put16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 8;
  bytes[at + 1] = value;
}

function put32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}
