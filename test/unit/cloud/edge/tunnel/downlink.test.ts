import { describe, expect, it } from 'vitest';
import { createEdgeMetrics, type EdgeMetrics } from '../../../../../cloud/edge/metrics.js';
import { routeDownlink, type DownlinkSession } from '../../../../../cloud/edge/tunnel/downlink.js';
import { parseIPv4 } from '../../../../../protocol/ip.js';
import { decodeBatch, MIN_BATCH_BYTES } from '../../../../../protocol/tunnel.js';
import { patternBytes, tcpPacket, udpPacket, withVirtioHeader } from '../../../../support/packets.js';

class Recorder implements DownlinkSession {
  readonly frames: Uint8Array[] = [];
  sentPackets = 0;
  sentBytes = 0;
  constructor(
    readonly offload: boolean,
    readonly maxBatchBytes = MIN_BATCH_BYTES,
    readonly bufferedAmount = 0,
  ) {}
  send(frame: Uint8Array): void {
    this.frames.push(frame);
  }
  sent(packets: number, bytes: number): void {
    this.sentPackets += packets;
    this.sentBytes += bytes;
  }
  packets(): Uint8Array[] {
    return this.frames.flatMap((frame) => {
      const decoded = decodeBatch(frame, { maxPacketBytes: 65_545, maxPackets: 100_000 });
      if ('error' in decoded) throw new Error(decoded.reason);
      return decoded.packets;
    });
  }
}

const A = '100.64.0.2';
const B = '100.64.0.3';
const udp = (dst: string, size = 100) => udpPacket({ src: '93.184.215.14', dst }, { srcPort: 53, dstPort: 40000, payload: patternBytes(size) });

async function drops(metrics: EdgeMetrics, reason: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('waygate_edge_tunnel_packet_drops_total')?.get();
  return metric?.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

function route(packets: Uint8Array[], sessions: Record<string, Recorder>, tunOffload = false, congestedBytes?: number) {
  const metrics = createEdgeMetrics({ processMetrics: false });
  const byAddress = new Map(Object.entries(sessions).map(([address, session]) => [Number(parseIPv4(address)), session]));
  routeDownlink(packets, tunOffload, (address) => byAddress.get(address), metrics, congestedBytes);
  return metrics;
}

describe('routing TUN packets to sessions', () => {
  it('sends each session its own packets, all in one frame', () => {
    const a = new Recorder(false);
    const b = new Recorder(false);
    const packets = [udp(A), udp(B), udp(A)];
    route(packets, { [A]: a, [B]: b });
    expect(a.frames).toHaveLength(1);
    expect(a.packets()).toEqual([packets[0], packets[2]]);
    expect(b.packets()).toEqual([packets[1]]);
    expect(a.sentPackets).toBe(2);
    expect(a.sentBytes).toBe((packets[0]?.length ?? 0) * 2);
  });

  it('drops and counts packets for addresses no session holds, IPv6 and runts included', async () => {
    const a = new Recorder(false);
    const metrics = route([udp('100.64.0.9'), udpPacket({ src: '2001:db8::1', dst: '2001:db8::2' }, { srcPort: 1, dstPort: 2 }), new Uint8Array([0x45, 0])], { [A]: a });
    expect(await drops(metrics, 'no-session')).toBe(3);
    expect(a.frames).toEqual([]);
  });

  it('splits a wakeup into frames no larger than the device accepts', () => {
    const a = new Recorder(false);
    const packets = Array.from({ length: 100 }, () => udp(A, 1400));
    route(packets, { [A]: a });
    expect(a.frames.length).toBe(3);
    for (const frame of a.frames) expect(frame.length).toBeLessThanOrEqual(MIN_BATCH_BYTES);
    expect(a.packets()).toEqual(packets);
  });

  it('drops a congested session’s packets and still serves the others', async () => {
    const slow = new Recorder(false, MIN_BATCH_BYTES, 3_000_000);
    const fast = new Recorder(false);
    const metrics = route([udp(A), udp(A), udp(B)], { [A]: slow, [B]: fast });
    expect(slow.frames).toEqual([]);
    expect(fast.packets()).toHaveLength(1);
    expect(await drops(metrics, 'device-congested')).toBe(2);
  });

  it('makes an offload TUN’s packets plain for a plain device, and leaves them for an offload one', () => {
    const plain = new Recorder(false);
    const offload = new Recorder(true);
    const superPacket = tcpPacket({ src: '93.184.215.14', dst: A }, { srcPort: 443, dstPort: 40000, payload: patternBytes(2000) });
    const header = { flags: 1, gsoType: 1, gsoSize: 1000, hdrLen: 40, csumStart: 20, csumOffset: 16 };
    const forPlain = withVirtioHeader(superPacket, header);
    const forOffload = withVirtioHeader(udp(B), {});
    route([forPlain, forOffload], { [A]: plain, [B]: offload }, true);
    expect(plain.packets().map((packet) => packet.length)).toEqual([1040, 1040]);
    expect(offload.packets()).toEqual([forOffload]);
    expect(offload.sentBytes).toBe(forOffload.length - 10);
  });
});
