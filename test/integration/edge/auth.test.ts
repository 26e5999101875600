/**
 * Edge authentication against a real portal: a device's edge token verifies through the JWKS
 * cache filled from the portal's `/.well-known/jwks.json`, and keeps verifying from memory and from
 * the cache file once the portal is gone.
 *
 * Not covered, by design: a revoked device. The edge checks signatures offline and never asks the
 * portal about a device, so a revoked device's token stays valid until its `exp` (≤ 1 h); revocation
 * reaches the edge only by the portal refusing to issue new tokens.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksCache } from '../../../cloud/edge/auth/jwks-cache.js';
import { challenge407, parseProxyAuthorization } from '../../../cloud/edge/auth/proxy-authorization.js';
import { verifyEdgeToken } from '../../../cloud/edge/auth/verify-token.js';
import { EdgeTokenResponse, type DeviceTokenResponse } from '../../../protocol/portal.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;
let portalOpen = true;
let device: DeviceTokenResponse;
let token: string;
let dir: string;
let cacheFile: string;
let cache: JwksCache;
const cacheErrors: Error[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waygate-edge-auth-'));
  cacheFile = join(dir, 'jwks.json');
  portal = await startTestPortal();
  device = await enrollDevice(portal);
  const res = await deviceCall(portal, device.device_credential, 'POST', 'edge-token');
  expect(res.status).toBe(200);
  token = EdgeTokenResponse.parse(res.json).token;
  cache = await JwksCache.open({ portalUrl: portal.url, cacheFile, onError: (e) => cacheErrors.push(e) });
});
afterAll(async () => {
  cache.stop();
  if (portalOpen) await portal.close();
  await rm(dir, { recursive: true, force: true });
});

const verify = (t: string | undefined, issuer = portal.url, now = portal.clock.now) => verifyEdgeToken(t, cache, { issuer, now });

describe('edge authentication with a real portal', () => {
  it('fetches the portal keys on the first token and accepts the device’s edge token', async () => {
    expect(cache.fetchedAt).toBeNull();
    const result = await verify(token);
    expect(result).toEqual({
      ok: true,
      claims: expect.objectContaining({ iss: portal.url, aud: 'waygate-edge', sub: device.device_id, org: portal.ctx.org.id, user: 'user@example.test' }),
    });
    expect(cache.jwks).toEqual(device.portal_keys);
    expect(cacheErrors).toEqual([]);
  });

  it('reads the token from Proxy-Authorization as Bearer or as the Basic password', async () => {
    for (const header of [`Bearer ${token}`, `Basic ${Buffer.from(`uma:${token}`).toString('base64')}`]) {
      const credential = parseProxyAuthorization(header);
      if (!credential.ok) throw new Error(credential.reason);
      expect((await verify(credential.token)).ok).toBe(true);
    }
  });

  it('refuses the token for another portal, and once it has expired, with a 407 challenge', async () => {
    expect(await verify(token, 'https://other-portal.example')).toMatchObject({ ok: false, code: 'TOKEN_WRONG_ISSUER' });
    const expired = await verify(token, portal.url, portal.clock.now + 3600_000 + 60_000);
    if (expired.ok) throw new Error('an expired token verified');
    expect(expired.code).toBe('TOKEN_EXPIRED');
    expect(challenge407(expired).proxyAuthenticate[0]).toContain('error="invalid_token"');
  });

  it('keeps verifying on cached keys after the portal goes away', async () => {
    await portal.close();
    portalOpen = false;
    expect((await cache.refresh()).ok).toBe(false);
    expect(cacheErrors.length).toBeGreaterThan(0);
    expect((await verify(token)).ok).toBe(true);
  });

  it('a restarted edge verifies from its cache file while the portal is down, and refuses unknown keys', async () => {
    const restarted = await JwksCache.open({ portalUrl: portal.url, cacheFile, onError: () => undefined });
    expect(restarted.jwks).toEqual(device.portal_keys);
    expect((await verifyEdgeToken(token, restarted, { issuer: portal.url, now: portal.clock.now })).ok).toBe(true);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-portal-key' }).sign(stranger);
    expect(await verifyEdgeToken(foreign, restarted, { issuer: portal.url, now: portal.clock.now })).toMatchObject({ ok: false, code: 'TOKEN_UNKNOWN_KEY' });
  });
});
