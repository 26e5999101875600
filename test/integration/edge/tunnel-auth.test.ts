/** The tunnel upgrade refuses what does not authenticate, before any WebSocket exists. */
import { afterEach, describe, expect, it } from 'vitest';
import { makeKey } from '../../unit/cloud/edge/auth/edge-keys.js';
import { connectTunnel } from '../../support/tunnel-client.js';
import { counter, startEdge, stopEdges, tokenFor } from '../../support/tunnel-test-edge.js';

afterEach(stopEdges);

describe('tunnel upgrade authentication', () => {
  it('refuses an upgrade without a token with 401 and a JSON body, and opens no WebSocket', async () => {
    const edge = await startEdge();
    const result = await connectTunnel(edge.url);
    expect(result).toMatchObject({ kind: 'refused', status: 401 });
    if (result.kind !== 'refused') return;
    expect(JSON.parse(result.body)).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(result.headers['www-authenticate']).toContain('Bearer realm="waygate"');
    expect(edge.endpoint.sessions()).toEqual([]);
  });

  it('refuses a token that does not verify, without echoing it', async () => {
    const edge = await startEdge();
    const forged = await tokenFor('dev-1', { forgedWith: await makeKey() });
    for (const [token, code] of [
      [forged, 'TOKEN_BAD_SIGNATURE'],
      ['not-a-jwt', 'TOKEN_MALFORMED'],
    ] as const) {
      const result = await connectTunnel(edge.url, { token });
      expect(result).toMatchObject({ kind: 'refused', status: 401 });
      if (result.kind !== 'refused') continue;
      expect(JSON.parse(result.body)).toMatchObject({ code });
      expect(result.body).not.toContain(token);
    }
    expect(await counter(edge.metrics, 'waygate_edge_auth_failures_total', { reason: 'TOKEN_BAD_SIGNATURE' })).toBe(1);
  });

  it('refuses a Basic credential and upgrades on other paths with 404', async () => {
    const edge = await startEdge();
    const token = await tokenFor('dev-1');
    const basic = await connectTunnel(edge.url, { headers: { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` } });
    expect(basic).toMatchObject({ kind: 'refused', status: 401 });
    const elsewhere = await connectTunnel(edge.url.replace('/tunnel/v1', '/tunnel/v2'), { token });
    expect(elsewhere).toMatchObject({ kind: 'refused', status: 404 });
  });
});
