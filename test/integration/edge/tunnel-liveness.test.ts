/** Tunnel keepalive, idle timeout and token expiry, stepped through with the manual clock. */
import { afterEach, describe, expect, it } from 'vitest';
import { TUNNEL_CLOSE } from '../../../protocol/tunnel.js';
import { openTunnel } from '../../support/tunnel-client.js';
import { connected, startEdge, stopEdges, tokenFor } from '../../support/tunnel-test-edge.js';

afterEach(stopEdges);

describe('tunnel liveness', () => {
  it('answers the device’s pings', async () => {
    const edge = await startEdge();
    const { client } = await connected(edge);
    client.sendControl({ v: 1, type: 'ping', nonce: 'd1' });
    expect(await client.nextControl()).toEqual({ v: 1, type: 'pong', nonce: 'd1' });
  });

  it('pings a quiet device and closes KEEPALIVE_TIMEOUT when no pong comes', async () => {
    const edge = await startEdge({ keepaliveSeconds: 10, idleTimeoutSeconds: 300 });
    const { client } = await connected(edge);
    client.answerPings = false;
    edge.advance(10_000);
    expect(await client.nextControl()).toMatchObject({ type: 'ping' });
    edge.advance(9_999);
    expect(edge.endpoint.sessions()).toHaveLength(1);
    edge.advance(1);
    expect(await client.closed).toMatchObject({ code: TUNNEL_CLOSE.KEEPALIVE_TIMEOUT });
  });

  it('closes IDLE_TIMEOUT when the device only answers pings for the whole idle timeout', async () => {
    const edge = await startEdge({ keepaliveSeconds: 10, idleTimeoutSeconds: 30 });
    const { client } = await connected(edge);
    for (let t = 0; t < 2; t++) {
      edge.advance(10_000);
      await client.nextControlOf('ping');
      // The pong must reach the edge before the clock moves on, as it would in real time.
      await client.roundTrip();
    }
    edge.advance(10_000);
    expect(await client.closed).toMatchObject({ code: TUNNEL_CLOSE.IDLE_TIMEOUT });
  });

  it('keeps a session that refreshes its token, and closes TOKEN_EXPIRED one that does not', async () => {
    const edge = await startEdge({ keepaliveSeconds: 25, idleTimeoutSeconds: 600 });
    const client = await openTunnel(edge.url, await tokenFor('dev-1', { ttl: 60 }));
    await client.hello();
    const stale = await openTunnel(edge.url, await tokenFor('dev-2', { ttl: 60 }));
    await stale.hello();
    const before = edge.endpoint.sessions().find((s) => s.device === 'dev-1')?.tokenExpiresAt ?? 0;
    client.sendControl({ v: 1, type: 'token', token: await tokenFor('dev-1', { ttl: 600 }) });
    await expect.poll(() => edge.endpoint.sessions().find((s) => s.device === 'dev-1')?.tokenExpiresAt).toBe(before + 540_000);
    edge.advance(90_000);
    expect(await stale.closed).toMatchObject({ code: TUNNEL_CLOSE.TOKEN_EXPIRED });
    expect(edge.endpoint.sessions().map((s) => s.device)).toEqual(['dev-1']);
  });

  it('closes UNAUTHENTICATED when the refreshed token names another device', async () => {
    const edge = await startEdge();
    const { client } = await connected(edge, 'dev-1');
    client.sendControl({ v: 1, type: 'token', token: await tokenFor('dev-2') });
    expect(await client.closed).toMatchObject({ code: TUNNEL_CLOSE.UNAUTHENTICATED });
  });
});
