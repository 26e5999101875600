/**
 * Just enough IPv4 + ICMP to answer a ping from inside a TUN reader, built by hand so the TUN tests
 * depend on nothing but the kernel: parse an echo request, check both checksums, build the reply.
 */

const IPV4_MIN_HEADER = 20;
const PROTOCOL_ICMP = 1;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMP_HEADER = 8;

/** RFC 1071 ones' complement sum of 16-bit words; 0 over a block that already holds its checksum. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface EchoRequest {
  source: string;
  destination: string;
  identifier: number;
  sequence: number;
}

function formatIPv4(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

/** The echo request in `packet`, or null for anything else (or a corrupt one). */
export function parseEchoRequest(packet: Uint8Array): EchoRequest | null {
  if (packet.length < IPV4_MIN_HEADER + ICMP_HEADER || packet[0]! >> 4 !== 4) return null;
  const headerLength = (packet[0]! & 0x0f) * 4;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const totalLength = view.getUint16(2);
  if (packet[9] !== PROTOCOL_ICMP || totalLength > packet.length || totalLength < headerLength + ICMP_HEADER) return null;
  if (internetChecksum(packet.subarray(0, headerLength)) !== 0) return null;
  const icmp = packet.subarray(headerLength, totalLength);
  if (icmp[0] !== ICMP_ECHO_REQUEST || icmp[1] !== 0 || internetChecksum(icmp) !== 0) return null;
  return {
    source: formatIPv4(packet, 12),
    destination: formatIPv4(packet, 16),
    identifier: view.getUint16(headerLength + 4),
    sequence: view.getUint16(headerLength + 6),
  };
}

/** The reply to an echo request: addresses swapped, type 0, same payload, fresh checksums. */
export function echoReplyTo(request: Uint8Array): Buffer {
  const headerLength = (request[0]! & 0x0f) * 4;
  const totalLength = (request[2]! << 8) | request[3]!;
  const reply = Buffer.from(request.subarray(0, totalLength));
  reply.set(request.subarray(16, 20), 12);
  reply.set(request.subarray(12, 16), 16);
  reply[8] = 64;
  reply.writeUInt16BE(0, 10);
  reply.writeUInt16BE(internetChecksum(reply.subarray(0, headerLength)), 10);
  reply[headerLength] = ICMP_ECHO_REPLY;
  reply.writeUInt16BE(0, headerLength + 2);
  reply.writeUInt16BE(internetChecksum(reply.subarray(headerLength)), headerLength + 2);
  return reply;
}
