/** Packets through the tunnel endpoint both ways: batching, spoofing and policy drops, malformed frames, offload conversion. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseIpPacket } from '../../../protocol/ip-packet.js';
import { MIN_BATCH_BYTES, TUNNEL_CLOSE, VIRTIO_NET_HDR_BYTES } from '../../../protocol/tunnel.js';
import { icmpEchoPacket, patternBytes, TCP_FLAGS, tcpPacket, withVirtioHeader } from '../../support/packets.js';
import { connected, counter, drops, PUBLIC, rulesBlocking, startEdge, stopEdges, tokenFor, udp, writes } from '../../support/tunnel-test-edge.js';

afterEach(stopEdges);

describe('packets through the tunnel', () => {
  it('carries several packets in one frame each way', async () => {
    const edge = await startEdge();
    const { client, address } = await connected(edge);
    const up = [udp(address, PUBLIC), tcpPacket({ src: address, dst: PUBLIC }, { srcPort: 40001, dstPort: 443, flags: TCP_FLAGS.SYN }), icmpEchoPacket({ src: address, dst: PUBLIC })];
    client.sendPackets(up);
    expect(await writes(edge.tun, 3)).toEqual(up.map((packet) => Buffer.from(packet)));

    const down = [udp(PUBLIC, address, 40000), udp(PUBLIC, address, 40000, patternBytes(1200)), icmpEchoPacket({ src: PUBLIC, dst: address }, { type: 0 })];
    edge.tun.inject([...down, udp(PUBLIC, '100.64.9.9')]);
    expect(await client.nextBatch()).toEqual(down.map((packet) => Buffer.from(packet)));
    expect(await counter(edge.metrics, 'waygate_edge_tunnel_packets_total', { direction: 'up' })).toBe(3);
    expect(await counter(edge.metrics, 'waygate_edge_tunnel_packets_total', { direction: 'down' })).toBe(3);
    expect(await drops(edge, 'no-session')).toBe(1);
    expect(edge.endpoint.sessions()[0]).toMatchObject({ packetsUp: 3, packetsDown: 3 });
  });

  it('splits what one wakeup holds into frames the device accepts', async () => {
    const edge = await startEdge();
    const { client, address } = await connected(edge);
    const big = Array.from({ length: 60 }, (_, i) => udp(PUBLIC, address, 40000, patternBytes(1400, i + 1)));
    edge.tun.inject(big);
    const first = await client.nextBatch();
    const second = await client.nextBatch();
    expect(first.length + second.length).toBe(60);
    expect(first.reduce((n, p) => n + 4 + p.length, 0)).toBeLessThanOrEqual(MIN_BATCH_BYTES);
  });

  it('drops and counts packets whose source is not the session’s address', async () => {
    const edge = await startEdge();
    const { client, address } = await connected(edge);
    const other = await connected(edge, 'dev-2');
    client.sendPackets([udp(other.address, PUBLIC), udp('8.8.8.8', PUBLIC), udp(address, PUBLIC, 5353)]);
    const [only] = await writes(edge.tun, 1);
    expect(parseIpPacket(only ?? new Uint8Array())).toMatchObject({ dstPort: 5353 });
    expect(await drops(edge, 'spoofed-source')).toBe(2);
  });

  it('drops what an access rule blocks and what the SSRF guard refuses', async () => {
    const edge = await startEdge();
    const { client, address } = await connected(edge);
    client.sendPackets([
      udp(address, '203.0.113.7'),
      udp(address, '127.0.0.1'),
      udp(address, '169.254.169.254', 80),
      tcpPacket({ src: address, dst: '10.1.2.3' }, { srcPort: 40002, dstPort: 22, flags: TCP_FLAGS.SYN }),
      udp(address, '100.64.0.3'),
      udp(address, PUBLIC, 5353),
    ]);
    const [only] = await writes(edge.tun, 1);
    expect(parseIpPacket(only ?? new Uint8Array())).toMatchObject({ dstPort: 5353 });
    expect(await drops(edge, 'policy')).toBe(5);
  });

  it('applies new rules to flows it already decided', async () => {
    const edge = await startEdge();
    const { client, address } = await connected(edge);
    client.sendPackets([udp(address, PUBLIC)]);
    await writes(edge.tun, 1);
    edge.setRules(rulesBlocking(`${PUBLIC}/32`));
    client.sendPackets([udp(address, PUBLIC), udp(address, '1.1.1.1')]);
    const all = await writes(edge.tun, 2);
    expect(parseIpPacket(all[1] ?? new Uint8Array())).toMatchObject({ dst4: 0x01010101 });
    expect(await drops(edge, 'policy')).toBe(1);
  });

  it('decides flows again for the groups of a refreshed token', async () => {
    const contractorsBlocked = { access: { defaultAction: 'allow' as const, rules: [{ id: 'contractors', action: 'block' as const, users: [], groups: ['contractors'], domains: [], cidrs: [], ports: [] }] }, edgeOwnCidrs: [] };
    const edge = await startEdge({ rules: () => contractorsBlocked });
    const { client, address } = await connected(edge);
    client.sendPackets([udp(address, PUBLIC)]);
    await writes(edge.tun, 1);
    const before = edge.endpoint.sessions()[0]?.tokenExpiresAt;
    client.sendControl({ v: 1, type: 'token', token: await tokenFor('dev-1', { groups: ['contractors'], ttl: 1800 }) });
    await expect.poll(() => edge.endpoint.sessions()[0]?.tokenExpiresAt).not.toBe(before);
    client.sendPackets([udp(address, PUBLIC)]);
    await client.roundTrip();
    expect(await drops(edge, 'policy')).toBe(1);
    expect(edge.tun.written).toHaveLength(1);
  });

  it('closes a frame over the batch limit with 1009 before reading it', async () => {
    const edge = await startEdge({ maxBatchBytes: MIN_BATCH_BYTES });
    const { client } = await connected(edge);
    client.sendRaw(new Uint8Array(MIN_BATCH_BYTES + 1), true);
    expect(await client.closed).toMatchObject({ code: 1009 });
  });

  it('closes PROTOCOL_ERROR on a batch that does not frame, and BAD_PACKET on a bad offload header', async () => {
    const plain = await startEdge();
    const a = await connected(plain);
    a.client.sendRaw(new Uint8Array([0, 0, 0, 9, 1, 2]), true);
    expect(await a.client.nextControl()).toMatchObject({ type: 'error', code: 'BAD_FRAME' });
    expect(await a.client.closed).toMatchObject({ code: TUNNEL_CLOSE.PROTOCOL_ERROR });

    const offload = await startEdge({ offload: true });
    const b = await connected(offload, 'dev-1', { offload: ['virtio-net-v1'] });
    b.client.sendPackets([withVirtioHeader(udp(b.address, PUBLIC), { gsoType: 3, gsoSize: 100 })]);
    expect(await b.client.closed).toMatchObject({ code: TUNNEL_CLOSE.BAD_PACKET });
    expect(offload.tun.written).toEqual([]);
  });

  it('converts between a plain device and an offload TUN both ways', async () => {
    const edge = await startEdge({ offload: true });
    const { client, address } = await connected(edge);
    const up = udp(address, PUBLIC);
    client.sendPackets([up]);
    const [written] = await writes(edge.tun, 1);
    expect(written?.subarray(0, VIRTIO_NET_HDR_BYTES)).toEqual(Buffer.alloc(VIRTIO_NET_HDR_BYTES));
    expect(written?.subarray(VIRTIO_NET_HDR_BYTES)).toEqual(Buffer.from(up));

    // A 3000-byte TCP super-packet with gso_size 1000 reaches the plain device as three segments.
    const superPacket = tcpPacket({ src: PUBLIC, dst: address }, { srcPort: 443, dstPort: 40001, payload: patternBytes(3000) });
    edge.tun.inject([withVirtioHeader(superPacket, { flags: 1, gsoType: 1, gsoSize: 1000, hdrLen: 40, csumStart: 20, csumOffset: 16 })]);
    const segments = await client.nextBatch();
    expect(segments.map((segment) => segment.length)).toEqual([1040, 1040, 1040]);
  });

  it('passes offload packets through untouched for an offload device', async () => {
    const edge = await startEdge({ offload: true });
    const { client, address } = await connected(edge, 'dev-1', { offload: ['virtio-net-v1'] });
    const up = withVirtioHeader(udp(address, PUBLIC), {});
    client.sendPackets([up]);
    expect(await writes(edge.tun, 1)).toEqual([Buffer.from(up)]);
    const down = withVirtioHeader(udp(PUBLIC, address, 40000), {});
    edge.tun.inject([down]);
    expect(await client.nextBatch()).toEqual([Buffer.from(down)]);
  });
});
