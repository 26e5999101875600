/**
 * The authenticated device API over real HTTP: signed config with ETags, heartbeat, edge tokens,
 * support tickets, one-time codes, and 401 for revoked or unknown devices on every route.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueOneTimeCode } from '../../../cloud/portal/device/one-time-codes.js';
import { POLICY_VERSION_TTL_MS } from '../../../cloud/portal/device/signed-configs.js';
import { VERIFY_CODE_LIMIT } from '../../../cloud/portal/enrollment/rate-limits.js';
import { verifyConfigSignature } from '../../../protocol/config-signature.js';
import { WireError } from '../../../protocol/errors.js';
import { DEFAULT_POLICY } from '../../../protocol/policy.js';
import { EdgeTokenClaims, EdgeTokenResponse, HeartbeatResponse, Jwks, SUPPORT_BUNDLE_MAX_BYTES, SignedConfig, type DeviceTokenResponse } from '../../../protocol/portal.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;
let device: DeviceTokenResponse;
let jwks: Jwks;

beforeAll(async () => {
  portal = await startTestPortal();
  const { store, org } = portal.ctx;
  await store.createGroup({ id: 'g-eng', orgId: org.id, name: 'engineering', source: 'local' });
  await store.createGroup({ id: 'g-ops', orgId: org.id, name: 'ops', source: 'local' });
  await store.setUserGroups(portal.user.user.id, 'local', ['g-ops', 'g-eng']);
  device = await enrollDevice(portal);
  jwks = Jwks.parse(await (await fetch(`${portal.url}/.well-known/jwks.json`)).json());
});
afterAll(() => portal.close());

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => deviceCall(portal, device.device_credential, method, path, body, headers);

function wireError(reply: { json: unknown }): WireError {
  return WireError.parse(reply.json);
}

describe('GET /api/v1/device/config', () => {
  it('returns the effective config signed by a key the device pinned, with a strong ETag', async () => {
    const res = await call('GET', 'config');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const signed = SignedConfig.parse(res.json);
    expect(await verifyConfigSignature(signed, device.portal_keys.keys)).toBe(true);
    expect(await verifyConfigSignature(signed, jwks.keys)).toBe(true);
  });

  it('fails verification when any field of the config is changed', async () => {
    const signed = SignedConfig.parse((await call('GET', 'config')).json);
    const tampered = structuredClone(signed);
    tampered.config.policyVersion += 1;
    expect(await verifyConfigSignature(tampered, jwks.keys)).toBe(false);
    const resigned = { ...signed, signature: { ...signed.signature, kid: 'someone-else' } };
    expect(await verifyConfigSignature(resigned, jwks.keys)).toBe(false);
  });

  it('answers If-None-Match with 304 and no body while nothing changed', async () => {
    const first = await call('GET', 'config');
    const etag = first.headers.get('etag') ?? '';
    const again = await call('GET', 'config', undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.json).toBeNull();
    expect(again.headers.get('etag')).toBe(etag);
    expect((await call('GET', 'config', undefined, { 'if-none-match': '"stale"' })).status).toBe(200);
    // The same bytes every time, so the tag is stable across polls.
    expect((await call('GET', 'config')).headers.get('etag')).toBe(etag);
  });

  it('serves a new config and ETag after the policy changes', async () => {
    const before = await call('GET', 'config');
    const current = await portal.ctx.store.currentPolicy(portal.ctx.org.id);
    const next = await portal.ctx.store.addPolicyVersion({
      orgId: portal.ctx.org.id,
      document: current?.document,
      createdAt: portal.clock.now,
      createdBy: portal.admin.user.id,
      comment: 'republish',
    });
    // The portal re-reads the current version number at most once per POLICY_VERSION_TTL_MS.
    portal.clock.advance(POLICY_VERSION_TTL_MS);
    const after = await call('GET', 'config', undefined, { 'if-none-match': before.headers.get('etag') ?? '' });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(SignedConfig.parse(after.json).config.policyVersion).toBe(next.version);
  });

  it('answers 403 PERMISSION_DENIED (NO_APP_PROFILE) to a device no app profile applies to', async () => {
    const publish = async (document: unknown) => {
      await portal.ctx.store.addPolicyVersion({ orgId: portal.ctx.org.id, document, createdAt: portal.clock.now, createdBy: portal.admin.user.id, comment: 'test' });
      portal.clock.advance(POLICY_VERSION_TTL_MS);
    };
    const macOnly = structuredClone(DEFAULT_POLICY);
    macOnly.appProfiles[0]!.match.os = ['macos'];
    await publish(macOnly);
    try {
      const res = await call('GET', 'config');
      expect(res.status).toBe(403);
      expect(wireError(res)).toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining('No app profile'),
        details: { reason: 'NO_APP_PROFILE' },
      });
      const mac = await enrollDevice(portal, portal.user.user.email, 'macos');
      expect((await deviceCall(portal, mac.device_credential, 'GET', 'config')).status).toBe(200);
    } finally {
      await publish(DEFAULT_POLICY);
    }
    expect((await call('GET', 'config')).status).toBe(200);
  });

  it('does not touch the device row (lastSeenAt moves on heartbeat only)', async () => {
    const before = await portal.ctx.store.getDevice(device.device_id);
    portal.clock.advance(1000);
    await call('GET', 'config');
    expect((await portal.ctx.store.getDevice(device.device_id))?.lastSeenAt).toBe(before?.lastSeenAt);
  });
});

describe('POST /api/v1/device/heartbeat', () => {
  it('stores the fingerprint, the applied policy version and the time, and returns the current version', async () => {
    portal.clock.advance(1000);
    const res = await call('POST', 'heartbeat', { fingerprint: { hostname: 'uma-laptop', appVersion: '0.1.0', networkType: 'off-trusted' }, policyVersion: 1 });
    expect(res.status).toBe(200);
    const current = await portal.ctx.store.currentPolicy(portal.ctx.org.id);
    expect(HeartbeatResponse.parse(res.json)).toEqual({ policyVersion: current?.version });
    const stored = await portal.ctx.store.getDevice(device.device_id);
    expect(stored).toMatchObject({ policyVersion: 1, lastSeenAt: portal.clock.now });
    // Merged with what enrollment recorded: the OS stays known.
    expect(stored?.fingerprint).toEqual({ os: 'linux', osVersion: '126', hostname: 'uma-laptop', appVersion: '0.1.0', networkType: 'off-trusted' });
  });

  it('refuses a body that does not match the protocol', async () => {
    const res = await call('POST', 'heartbeat', { fingerprint: { networkType: 'home' }, policyVersion: -1 });
    expect(res.status).toBe(400);
    expect(wireError(res)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('fingerprint.networkType') });
  });
});

describe('POST /api/v1/device/edge-token', () => {
  it('returns an EdDSA JWT for the edge that verifies against the published JWKS and lives at most an hour', async () => {
    const res = await call('POST', 'edge-token');
    expect(res.status).toBe(200);
    const { token, expires_at } = EdgeTokenResponse.parse(res.json);
    const keys = createRemoteJWKSet(new URL(`${portal.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, keys, {
      issuer: portal.url,
      audience: 'waygate-edge',
      currentDate: new Date(portal.clock.now),
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.kid).toBe(jwks.keys[0]?.kid);
    const claims = EdgeTokenClaims.parse(payload);
    expect(claims).toMatchObject({ sub: device.device_id, org: portal.ctx.org.id, user: 'user@example.test', groups: ['engineering', 'ops'] });
    expect(claims.exp).toBeLessThanOrEqual(claims.iat + 3600);
    expect(claims.iat).toBe(Math.floor(portal.clock.now / 1000));
    expect(expires_at).toBe(claims.exp);
    expect(decodeJwt(token).exp).toBe(expires_at);
  });
});

describe('POST /api/v1/device/support', () => {
  it('files a ticket with the bundle', async () => {
    const bundle = Buffer.from('diagnostics\n').toString('base64');
    const res = await call('POST', 'support', { subject: 'Cannot reach intranet', message: 'Since this morning.', bundle });
    expect(res.status).toBe(201);
    const { ticketId } = res.json as { ticketId: string };
    const ticket = await portal.ctx.store.getTicket(ticketId);
    expect(ticket).toMatchObject({ deviceId: device.device_id, userId: portal.user.user.id, subject: 'Cannot reach intranet', status: 'open' });
    expect(Buffer.from(ticket?.bundle ?? []).toString()).toBe('diagnostics\n');
  });

  it('files a ticket without a bundle', async () => {
    const res = await call('POST', 'support', { subject: 'Slow', message: '' });
    expect(res.status).toBe(201);
  });

  it('refuses a bundle over the limit with 413 and a message that says what to do', async () => {
    const bundle = Buffer.alloc(SUPPORT_BUNDLE_MAX_BYTES + 1).toString('base64');
    const res = await call('POST', 'support', { subject: 'Big', message: '', bundle });
    expect(res.status).toBe(413);
    expect(wireError(res)).toMatchObject({ code: 'FRAME_TOO_LARGE', message: expect.stringContaining('Send a smaller bundle') });
  });

  it('accepts a bundle of exactly the limit, and refuses one that is not base64', async () => {
    const atLimit = await call('POST', 'support', { subject: 'Limit', message: '', bundle: Buffer.alloc(SUPPORT_BUNDLE_MAX_BYTES).toString('base64') });
    expect(atLimit.status).toBe(201);
    const garbage = await call('POST', 'support', { subject: 'Bad', message: '', bundle: '!!!!' });
    expect(garbage.status).toBe(400);
    expect(wireError(garbage).code).toBe('BAD_REQUEST');
  });
});

describe('POST /api/v1/device/verify-code', () => {
  it('accepts a one-time code once, for its device and kind only', async () => {
    const { code, expiresAt } = await issueOneTimeCode(portal.ctx, device.device_id, 'disable', portal.admin.user.id);
    expect(code).toMatch(/^\d{8}$/);
    expect(expiresAt).toBe(portal.clock.now + 15 * 60_000);
    expect((await call('POST', 'verify-code', { kind: 'logout', code })).json).toEqual({ valid: false });
    const other = await enrollDevice(portal);
    expect((await deviceCall(portal, other.device_credential, 'POST', 'verify-code', { kind: 'disable', code })).json).toEqual({ valid: false });
    expect((await call('POST', 'verify-code', { kind: 'disable', code: `${code.slice(0, 4)} ${code.slice(4)}` })).json).toEqual({ valid: true });
    expect((await call('POST', 'verify-code', { kind: 'disable', code })).json).toEqual({ valid: false });
    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['device.one-time-code.issue', 'device.one-time-code.use']));
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('refuses an expired code', async () => {
    const { code } = await issueOneTimeCode(portal.ctx, device.device_id, 'logout', portal.admin.user.id);
    portal.clock.advance(15 * 60_000);
    expect((await call('POST', 'verify-code', { kind: 'logout', code })).json).toEqual({ valid: false });
  });

  it('cannot be issued for a device that does not exist', async () => {
    await expect(issueOneTimeCode(portal.ctx, 'nope', 'logout', null)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('device authentication', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', 'config'],
    ['POST', 'heartbeat', { fingerprint: {}, policyVersion: null }],
    ['POST', 'edge-token'],
    ['POST', 'support', { subject: 's', message: 'm' }],
    ['POST', 'verify-code', { kind: 'logout', code: '12345678' }],
  ];

  async function expect401Everywhere(credential: string, message: RegExp): Promise<void> {
    for (const [method, path, body] of routes) {
      const res = await deviceCall(portal, credential, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
      expect(wireError(res)).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(message) });
    }
  }

  it('refuses a missing, malformed, unknown or wrong credential on every route', async () => {
    for (const [method, path] of routes) {
      const res = await fetch(`${portal.url}/api/v1/device/${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    await expect401Everywhere('garbage', /not valid/);
    await expect401Everywhere('wgd.nosuchdevice.secret', /not valid/);
    const [prefix, id] = device.device_credential.split('.');
    await expect401Everywhere(`${prefix}.${id}.wrong-secret`, /not valid/);
  });

  it('refuses a revoked device on every route', async () => {
    const doomed = await enrollDevice(portal);
    expect((await deviceCall(portal, doomed.device_credential, 'GET', 'config')).status).toBe(200);
    await portal.ctx.store.updateDevice(doomed.device_id, { revokedAt: portal.clock.now });
    await expect401Everywhere(doomed.device_credential, /removed this device/);
  });

  it('rate limits one-time-code checks per device', async () => {
    const guesser = await enrollDevice(portal);
    const seen: number[] = [];
    const { max } = VERIFY_CODE_LIMIT;
    for (let i = 0; i <= max; i++) seen.push((await deviceCall(portal, guesser.device_credential, 'POST', 'verify-code', { kind: 'logout', code: String(i) })).status);
    expect(seen.slice(0, max)).toEqual(Array(max).fill(200));
    expect(seen[max]).toBe(429);
    // Another device is not affected.
    expect((await call('POST', 'verify-code', { kind: 'logout', code: '0' })).status).toBe(200);
  });
});
