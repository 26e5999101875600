/**
 * Device → TUN, per packet of a decoded batch: the source must be the session's own address (no
 * spoofing another device's or anyone's), the destination must pass policy, then one TUN write.
 * Drops are counted, never logged: a log line per packet is a denial of service on the log.
 */
import { IP_PROTOCOL_TCP, IP_PROTOCOL_UDP, parseIpPacket } from '../../../protocol/ip-packet.js';
import { VIRTIO_NET_HDR_BYTES } from '../../../protocol/tunnel.js';
import { withPlainVirtioHeader } from '../../../protocol/virtio-segment.js';
import type { TunDevice } from '../../../platform/tun.js';
import type { EdgeMetrics } from '../metrics.js';

export interface UplinkSession {
  /** The session's tunnel address, unsigned 32-bit. */
  readonly address: number;
  /** Whether the device's packets carry a virtio_net_hdr (offload was negotiated). */
  readonly offload: boolean;
  /** Policy for IPv4 `destination` and `port` (0 when the protocol has none), cached per flow. */
  allows(destination: number, port: number): boolean;
}

export interface UplinkResult {
  readonly packets: number;
  /** IP bytes written, virtio headers not counted. */
  readonly bytes: number;
}

export function forwardUplink(packets: readonly Uint8Array[], session: UplinkSession, tun: TunDevice, metrics: EdgeMetrics): UplinkResult {
  const headerBytes = session.offload ? VIRTIO_NET_HDR_BYTES : 0;
  let forwarded = 0;
  let bytes = 0;
  for (const packet of packets) {
    const ip = headerBytes === 0 ? packet : packet.subarray(headerBytes);
    const info = parseIpPacket(ip);
    if ('error' in info) {
      metrics.packetDropped('malformed');
      continue;
    }
    // The session has no IPv6 address, so any IPv6 source is not its own either.
    if (info.version !== 4 || info.src4 !== session.address) {
      metrics.packetDropped('spoofed-source');
      continue;
    }
    const port = (info.protocol === IP_PROTOCOL_TCP || info.protocol === IP_PROTOCOL_UDP) && info.dstPort !== null ? info.dstPort : 0;
    if (!session.allows(info.dst4, port)) {
      metrics.packetDropped('policy');
      continue;
    }
    const written = tun.offload && !session.offload ? tun.write(withPlainVirtioHeader(packet)) : tun.write(packet);
    if (!written) {
      metrics.packetDropped('tun-full');
      continue;
    }
    forwarded += 1;
    bytes += ip.length;
  }
  return { packets: forwarded, bytes };
}
