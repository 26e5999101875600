/** Sessions the edge ends: revoked devices, shutdown, and the log lines sessions leave. */
import { afterEach, describe, expect, it } from 'vitest';
import { TUNNEL_CLOSE } from '../../../protocol/tunnel.js';
import { openTunnel } from '../../support/tunnel-client.js';
import { connected, PUBLIC, startEdge, stopEdges, tokenFor, udp, writes } from '../../support/tunnel-test-edge.js';

afterEach(stopEdges);

describe('ending sessions from the edge', () => {
  it('closes a revoked device with DEVICE_REVOKED', async () => {
    const edge = await startEdge();
    const { client } = await connected(edge, 'dev-1');
    expect(edge.endpoint.closeDevice('dev-1')).toBe(true);
    expect(edge.endpoint.closeDevice('dev-unknown')).toBe(false);
    expect(await client.closed).toMatchObject({ code: TUNNEL_CLOSE.DEVICE_REVOKED });
  });

  it('closes every session with SERVER_SHUTTING_DOWN, stops reading the TUN and refuses new upgrades', async () => {
    const edge = await startEdge();
    const a = await connected(edge, 'dev-1');
    const b = await connected(edge, 'dev-2');
    const done = edge.endpoint.shutdown();
    expect(await a.client.closed).toMatchObject({ code: TUNNEL_CLOSE.SERVER_SHUTTING_DOWN });
    expect(await b.client.closed).toMatchObject({ code: TUNNEL_CLOSE.SERVER_SHUTTING_DOWN });
    await done;
    expect(edge.tun.isPaused).toBe(true);
  });

  it('logs one line per session start and end, with its counters and never the token', async () => {
    const edge = await startEdge();
    const token = await tokenFor('dev-1');
    const client = await openTunnel(edge.url, token);
    const assign = await client.hello();
    client.sendPackets([udp(assign.address.split('/')[0] ?? '', PUBLIC)]);
    await writes(edge.tun, 1);
    await client.close();
    await expect.poll(() => edge.logs.length).toBe(2);
    expect(edge.logs.map((line) => line.message)).toEqual(['tunnel session opened', 'tunnel session closed']);
    expect(edge.logs[1]?.fields).toMatchObject({ device: 'dev-1', user: 'dev-1@example.test', address: '100.64.0.2', packetsUp: 1, close: 1000 });
    expect(JSON.stringify(edge.logs)).not.toContain(token);
  });
});
