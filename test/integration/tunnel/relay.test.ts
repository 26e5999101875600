/**
 * The device's relay against the edge's real tunnel endpoint on loopback, fake TUNs on both sides:
 * packets both ways, offload negotiated or converted at the device, token renewal, a refused token,
 * and the edge shutting down.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTun } from '../../../platform/tun.fake.js';
import { VIRTIO_NET_HDR_BYTES } from '../../../protocol/tunnel.js';
import { openRelay, RelayError, type TunnelCounters } from '../../../host/tunnel/relay.js';
import { stopEdges, startEdge, tokenFor, udp, writes } from '../../support/tunnel-test-edge.js';
import { withVirtioHeader } from '../../support/packets.js';

afterEach(stopEdges);

const PUBLIC_SERVER = '93.184.215.14';
const client = { version: 'test', os: 'linux' } as const;

function counters(): TunnelCounters {
  return { bytesUp: 0, bytesDown: 0, packetsDropped: 0 };
}

describe('tunnel relay ⇄ edge endpoint', () => {
  it('carries packets both ways and counts their bytes', async () => {
    const edge = await startEdge();
    const tun = createFakeTun({ offload: false });
    const count = counters();
    const relay = await openRelay({ url: edge.url, token: await tokenFor('dev-relay'), tun: tun.device, range: null, client, counters: count });
    const address = relay.assign.address.split('/')[0] ?? '';
    expect(relay.offload).toBe(false);

    const up = udp(address, PUBLIC_SERVER);
    relay.send([Buffer.from(up)]);
    expect(await writes(edge.tun, 1)).toEqual([Buffer.from(up)]);

    const down = udp(PUBLIC_SERVER, address, 40000);
    edge.tun.inject([down]);
    expect(await writes(tun, 1)).toEqual([Buffer.from(down)]);
    expect(count).toEqual({ bytesUp: up.length, bytesDown: down.length, packetsDropped: 0 });
    relay.close();
    expect((await relay.ended).code).toBe(1000);
  });

  it('speaks offload with an offload edge, and converts at the device when the edge has none', async () => {
    for (const edgeOffload of [true, false]) {
      const edge = await startEdge({ offload: edgeOffload });
      const tun = createFakeTun({ offload: true });
      const relay = await openRelay({ url: edge.url, token: await tokenFor(`dev-${String(edgeOffload)}`), tun: tun.device, range: null, client, counters: counters() });
      expect(relay.offload).toBe(edgeOffload);
      const address = relay.assign.address.split('/')[0] ?? '';

      const plain = udp(address, PUBLIC_SERVER);
      relay.send([Buffer.from(withVirtioHeader(plain, {}))]);
      const [atEdge] = await writes(edge.tun, 1);
      expect(atEdge?.subarray(edgeOffload ? VIRTIO_NET_HDR_BYTES : 0)).toEqual(Buffer.from(plain));

      const down = udp(PUBLIC_SERVER, address, 40000);
      edge.tun.inject([edgeOffload ? withVirtioHeader(down, {}) : down]);
      const [atDevice] = await writes(tun, 1);
      // The device's TUN always gets a virtio header: the edge's, or an empty one added here.
      expect(atDevice?.subarray(0, VIRTIO_NET_HDR_BYTES)).toEqual(Buffer.alloc(VIRTIO_NET_HDR_BYTES));
      expect(atDevice?.subarray(VIRTIO_NET_HDR_BYTES)).toEqual(Buffer.from(down));
      relay.close();
    }
  });

  it('asks for a range and gets its address from it', async () => {
    const edge = await startEdge();
    const relay = await openRelay({ url: edge.url, token: await tokenFor('dev-range'), tun: createFakeTun({ offload: false }).device, range: '100.65.0.0/16', client, counters: counters() });
    expect(relay.assign.address).toMatch(/^100\.65\.\d+\.\d+\/16$/);
    relay.close();
  });

  it('hands a renewed token to the edge and keeps the session', async () => {
    const edge = await startEdge();
    const tun = createFakeTun({ offload: false });
    const relay = await openRelay({ url: edge.url, token: await tokenFor('dev-renew'), tun: tun.device, range: null, client, counters: counters() });
    relay.renewToken(await tokenFor('dev-renew', { ttl: 7200 }));
    const address = relay.assign.address.split('/')[0] ?? '';
    relay.send([Buffer.from(udp(address, PUBLIC_SERVER))]);
    await writes(edge.tun, 1);
    expect(edge.endpoint.sessions()).toHaveLength(1);
    relay.close();
  });

  it('says a refused token calls for a fresh one', async () => {
    const edge = await startEdge();
    const refused = openRelay({ url: edge.url, token: 'not-a-token', tun: createFakeTun({ offload: false }).device, range: null, client, counters: counters() });
    await expect(refused).rejects.toBeInstanceOf(RelayError);
    await expect(refused).rejects.toMatchObject({ action: 'refresh-token', message: expect.stringContaining('HTTP 401') });
  });

  it('ends with the edge\'s reason when the edge shuts down, so the manager reconnects', async () => {
    const edge = await startEdge();
    const relay = await openRelay({ url: edge.url, token: await tokenFor('dev-bye'), tun: createFakeTun({ offload: false }).device, range: null, client, counters: counters() });
    void edge.endpoint.shutdown();
    expect(await relay.ended).toMatchObject({ code: 4402, action: 'reconnect' });
  });
});
