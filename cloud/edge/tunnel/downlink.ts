/**
 * TUN → devices: the packets of one TUN wakeup, routed by destination address to their sessions,
 * and sent as one binary frame per session (more only when one frame would exceed what the device
 * accepts).
 *
 * Backpressure drops, it does not pause: all devices share one TUN, so pausing it because one
 * device's connection is slow would stall every other device behind it, and any client could stall
 * the edge by reading slowly. A session whose WebSocket already holds more than `congestedBytes`
 * unsent loses that wakeup's packets instead, as a router with a full queue does; TCP inside the
 * tunnel backs off on the loss, and the other sessions never notice.
 */
import type { EdgeMetrics } from '../metrics.js';
import { encodeBatch, VIRTIO_NET_HDR_BYTES } from '../../../protocol/tunnel.js';
import { toPlainPackets } from '../../../protocol/virtio-segment.js';

/** ~2 MB in flight per device is plenty for a fast link and bounds the edge's memory per session. */
export const CONGESTED_BYTES = 2 * 1024 * 1024;

export interface DownlinkSession {
  /** Whether the device takes packets with the virtio_net_hdr (offload was negotiated). */
  readonly offload: boolean;
  /** The largest frame the device accepts (its hello's maxBatchBytes). */
  readonly maxBatchBytes: number;
  /** Bytes queued on the WebSocket and not yet written to the network. */
  readonly bufferedAmount: number;
  send(frame: Uint8Array): void;
  /** Counts what was sent: packets and their IP bytes. */
  sent(packets: number, bytes: number): void;
}

const LENGTH_PREFIX_BYTES = 4;
const IPV4_DESTINATION_OFFSET = 16;

/**
 * The IPv4 destination of a packet the edge's own TUN produced, read in place: routing needs only
 * these four bytes, and a full parse per packet on the hot path buys nothing for kernel output.
 * Null for IPv6 and anything too short, which no session can own.
 */
function ipv4Destination(packet: Uint8Array, offset: number): number | null {
  const at = offset + IPV4_DESTINATION_OFFSET;
  if (packet.length < at + 4 || (packet[offset] ?? 0) >> 4 !== 4) return null;
  return (((packet[at] ?? 0) << 24) | ((packet[at + 1] ?? 0) << 16) | ((packet[at + 2] ?? 0) << 8) | (packet[at + 3] ?? 0)) >>> 0;
}

export function routeDownlink<S extends DownlinkSession>(
  packets: readonly Uint8Array[],
  tunOffload: boolean,
  sessionFor: (address: number) => S | undefined,
  metrics: EdgeMetrics,
  congestedBytes = CONGESTED_BYTES,
): void {
  const headerBytes = tunOffload ? VIRTIO_NET_HDR_BYTES : 0;
  const bySession = new Map<S, Uint8Array[]>();
  for (const packet of packets) {
    const destination = ipv4Destination(packet, headerBytes);
    const session = destination === null ? undefined : sessionFor(destination);
    if (session === undefined) {
      metrics.packetDropped('no-session');
      continue;
    }
    const queued = bySession.get(session);
    if (queued === undefined) bySession.set(session, [packet]);
    else queued.push(packet);
  }
  for (const [session, queued] of bySession) {
    if (session.bufferedAmount > congestedBytes) {
      for (let i = 0; i < queued.length; i += 1) metrics.packetDropped('device-congested');
      continue;
    }
    sendBatches(session, asCarried(queued, tunOffload, session.offload, metrics), headerBytes !== 0 && session.offload ? headerBytes : 0);
  }
}

/** The packets as the device takes them: an offload TUN's packets made plain for a plain device. */
function asCarried(packets: Uint8Array[], tunOffload: boolean, sessionOffload: boolean, metrics: EdgeMetrics): Uint8Array[] {
  if (!tunOffload || sessionOffload) return packets;
  const plain: Uint8Array[] = [];
  for (const packet of packets) {
    const converted = toPlainPackets(packet);
    if ('error' in converted) metrics.packetDropped('malformed');
    else plain.push(...converted);
  }
  return plain;
}

/** Frames of at most the device's maxBatchBytes; one packet always fits (MIN_BATCH_BYTES). */
function sendBatches(session: DownlinkSession, packets: Uint8Array[], headerBytes: number): void {
  let start = 0;
  let frameBytes = 0;
  let ipBytes = 0;
  const flush = (end: number) => {
    if (end === start) return;
    session.send(encodeBatch(packets.slice(start, end)));
    session.sent(end - start, ipBytes);
    start = end;
    frameBytes = 0;
    ipBytes = 0;
  };
  for (let i = 0; i < packets.length; i += 1) {
    const length = packets[i]?.length ?? 0;
    if (frameBytes + LENGTH_PREFIX_BYTES + length > session.maxBatchBytes) flush(i);
    frameBytes += LENGTH_PREFIX_BYTES + length;
    ipBytes += length - headerBytes;
  }
  flush(packets.length);
}
