/** Tunnel sessions: hello and assign, addresses, offload negotiation, replacement and capacity. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCidr } from '../../../protocol/ip.js';
import { MIN_BATCH_BYTES, TUNNEL_CLOSE } from '../../../protocol/tunnel.js';
import { openTunnel } from '../../support/tunnel-client.js';
import { connected, counter, PUBLIC, startEdge, stopEdges, tokenFor, udp } from '../../support/tunnel-test-edge.js';

afterEach(stopEdges);

describe('tunnel session setup', () => {
  it('answers a hello with an address from 100.64.0.0/16, its gateway, and the whole internet routed', async () => {
    const edge = await startEdge({ dns: ['100.64.0.1'], mtu: 1400 });
    const client = await openTunnel(edge.url, await tokenFor('dev-1'));
    const assign = await client.hello();
    expect(assign).toEqual({
      v: 1,
      type: 'assign',
      address: '100.64.0.2/16',
      gateway: '100.64.0.1',
      dns: ['100.64.0.1'],
      mtu: 1400,
      routes: { include: ['0.0.0.0/0'], exclude: [] },
      offload: null,
      maxBatchBytes: 4 * 1024 * 1024,
      keepaliveSeconds: 25,
      idleTimeoutSeconds: 300,
    });
    expect(edge.endpoint.sessions()).toMatchObject([{ device: 'dev-1', user: 'dev-1@example.test', address: '100.64.0.2', offload: null }]);
    expect(await counter(edge.metrics, 'waygate_edge_active_tunnels', { kind: 'packet' })).toBe(1);
    await client.close();
    await expect.poll(() => edge.endpoint.sessions()).toEqual([]);
    expect(await counter(edge.metrics, 'waygate_edge_active_tunnels', { kind: 'packet' })).toBe(0);
  });

  it('gives an address from the /16 the device asks for', async () => {
    const edge = await startEdge();
    const { address } = await connected(edge, 'dev-1', { range: '100.65.0.0/16' });
    expect(address).toBe('100.65.0.2');
  });

  it('negotiates offload only when the TUN has it', async () => {
    const plain = await startEdge();
    const offload = await startEdge({ offload: true });
    const a = await openTunnel(plain.url, await tokenFor('dev-1'));
    expect((await a.hello({ offload: ['virtio-net-v1'] })).offload).toBeNull();
    const b = await openTunnel(offload.url, await tokenFor('dev-1'));
    expect((await b.hello({ offload: ['virtio-net-v1'] })).offload).toBe('virtio-net-v1');
    const c = await openTunnel(offload.url, await tokenFor('dev-2'));
    expect((await c.hello()).offload).toBeNull();
  });

  it('closes PROTOCOL_ERROR when the first frame is not a hello, and UNSUPPORTED_VERSION for another version', async () => {
    const edge = await startEdge();
    const early = await openTunnel(edge.url, await tokenFor('dev-1'));
    early.sendPackets([udp('100.64.0.2', PUBLIC)]);
    expect(await early.closed).toMatchObject({ code: TUNNEL_CLOSE.PROTOCOL_ERROR });
    const future = await openTunnel(edge.url, await tokenFor('dev-1'));
    future.sendControl({ v: 2, type: 'hello' });
    expect(await future.nextControl()).toMatchObject({ type: 'error', code: 'UNSUPPORTED_VERSION' });
    expect(await future.closed).toMatchObject({ code: TUNNEL_CLOSE.UNSUPPORTED_VERSION });
  });

  it('closes a connection that sends no hello in time', async () => {
    const edge = await startEdge({ helloTimeoutSeconds: 5 });
    const silent = await openTunnel(edge.url, await tokenFor('dev-1'));
    edge.advance(4_999);
    edge.advance(1);
    expect(await silent.closed).toMatchObject({ code: TUNNEL_CLOSE.PROTOCOL_ERROR });
  });

  it('replaces a device’s session with its new one, which keeps the address', async () => {
    const edge = await startEdge();
    const first = await connected(edge, 'dev-1');
    const second = await connected(edge, 'dev-1');
    expect(await first.client.closed).toMatchObject({ code: TUNNEL_CLOSE.REPLACED });
    expect(second.address).toBe(first.address);
    expect(edge.endpoint.sessions()).toHaveLength(1);
    // The old session's close must not free the address the new one holds.
    const third = await connected(edge, 'dev-2');
    expect(third.address).not.toBe(first.address);
  });

  it('closes ADDRESS_POOL_EXHAUSTED when the pool is full, and reuses an address once freed', async () => {
    const pool = parseCidr('100.64.0.0/30');
    if (!pool.ok) throw new Error(pool.message);
    const edge = await startEdge({ pool: pool.cidr });
    const a = await connected(edge, 'dev-a');
    await connected(edge, 'dev-b');
    const c = await openTunnel(edge.url, await tokenFor('dev-c'));
    c.sendControl({ v: 1, type: 'hello', client: { version: 't', os: 'linux' }, capabilities: { offload: [], maxBatchBytes: MIN_BATCH_BYTES, ipv6: false } });
    expect(await c.closed).toMatchObject({ code: TUNNEL_CLOSE.ADDRESS_POOL_EXHAUSTED });
    await a.client.close();
    // The edge frees the address when its side of the WebSocket has closed too.
    await expect.poll(() => edge.endpoint.sessions().map((session) => session.device)).toEqual(['dev-b']);
    const d = await connected(edge, 'dev-d');
    expect(d.address).toBe(a.address);
  });
});

describe('tunnel capacity', () => {
  it('closes ADDRESS_POOL_EXHAUSTED beyond maxSessions, but still lets a connected device replace its session', async () => {
    const edge = await startEdge({ maxSessions: 1 });
    const first = await connected(edge, 'dev-1');
    const other = await openTunnel(edge.url, await tokenFor('dev-2'));
    other.sendControl({ v: 1, type: 'hello', client: { version: 't', os: 'linux' }, capabilities: { offload: [], maxBatchBytes: MIN_BATCH_BYTES, ipv6: false } });
    expect(await other.closed).toMatchObject({ code: TUNNEL_CLOSE.ADDRESS_POOL_EXHAUSTED });
    const again = await connected(edge, 'dev-1');
    expect(await first.client.closed).toMatchObject({ code: TUNNEL_CLOSE.REPLACED });
    expect(again.address).toBe(first.address);
  });

  it('closes ADDRESS_POOL_EXHAUSTED when the device asks for a /16 outside the edge’s pool', async () => {
    const pool = parseCidr('100.64.0.0/16');
    if (!pool.ok) throw new Error(pool.message);
    const edge = await startEdge({ pool: pool.cidr });
    const client = await openTunnel(edge.url, await tokenFor('dev-1'));
    client.sendControl({ v: 1, type: 'hello', client: { version: 't', os: 'linux' }, capabilities: { offload: [], maxBatchBytes: MIN_BATCH_BYTES, ipv6: false, range: '100.66.0.0/16' } });
    expect(await client.closed).toMatchObject({ code: TUNNEL_CLOSE.ADDRESS_POOL_EXHAUSTED });
  });
});
