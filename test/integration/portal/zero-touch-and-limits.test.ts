/**
 * Zero-touch enrollment with the org's enrollment token, and the per-user device limit on both
 * grants (deviceLimit: 2 here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, DeviceTokenResponse, ENROLLMENT_TOKEN_GRANT, TokenError } from '../../../protocol/portal.js';
import { authorize, createEnrollmentToken, enrollmentTokenGrant, pollToken, postForm } from '../../support/portal-device.js';
import { signIn } from '../../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal({ deviceLimit: 2 });
});
afterAll(() => portal.close());

function tokenError(reply: { status: number; json: unknown }): TokenError {
  expect(reply.status).toBe(400);
  return TokenError.parse(reply.json);
}

describe('zero-touch enrollment (enrollment-token grant)', () => {
  it('enrolls a device directly for a user of the org with a valid token', async () => {
    const token = await createEnrollmentToken(portal);
    const res = await enrollmentTokenGrant(portal, token, 'ADMIN@example.test');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = DeviceTokenResponse.parse(res.json);
    expect(body.user.email).toBe('admin@example.test');
    expect(await portal.ctx.store.getDevice(body.device_id)).toMatchObject({ name: 'Managed Chromebook', fingerprint: { os: 'chromeos', osVersion: '126' } });
    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['device.enroll', 'enrollment-token.use']));
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('answers invalid_grant to a wrong, revoked or expired token and to an email that is not a user', async () => {
    const now = portal.clock.now;
    expect(tokenError(await enrollmentTokenGrant(portal, 'not-a-token', 'admin@example.test')).error).toBe('invalid_grant');
    const revoked = await createEnrollmentToken(portal, { revokedAt: now - 1 });
    expect(tokenError(await enrollmentTokenGrant(portal, revoked, 'admin@example.test')).error).toBe('invalid_grant');
    const expired = await createEnrollmentToken(portal, { expiresAt: now });
    expect(tokenError(await enrollmentTokenGrant(portal, expired, 'admin@example.test')).error).toBe('invalid_grant');
    const valid = await createEnrollmentToken(portal, { expiresAt: now + 60_000 });
    const stranger = tokenError(await enrollmentTokenGrant(portal, valid, 'stranger@example.test'));
    expect(stranger).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('stranger@example.test') });
  });

  it('validates the fields of the grant', async () => {
    const token = await createEnrollmentToken(portal);
    const res = await postForm(`${portal.url}/api/v1/device/token`, {
      grant_type: ENROLLMENT_TOKEN_GRANT,
      client_id: CLIENT_ID,
      enrollment_token: token,
      user_email: 'not an email',
      device_name: 'x',
      os: 'linux',
    });
    expect(tokenError(res)).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('user_email') });
  });
});

describe('per-user device limit', () => {
  it('stops the third device of a user with access_denied naming the limit, on both grants', async () => {
    const token = await createEnrollmentToken(portal);
    for (let i = 0; i < 2; i++) expect((await enrollmentTokenGrant(portal, token, 'user@example.test')).status).toBe(200);

    const third = tokenError(await enrollmentTokenGrant(portal, token, 'user@example.test'));
    expect(third.error).toBe('access_denied');
    expect(third.error_description).toMatch(/already has 2 enrolled devices and the limit is 2 per user/);

    // Through the browser: the page warns, and the device is told why it cannot sign in.
    const session = await signIn(portal.url, portal.user);
    const { device_code, user_code } = await authorize(portal);
    const approved = await fetch(`${portal.url}/device/approve`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code, _csrf: session.csrfToken }),
    });
    expect(await approved.text()).toContain('Device limit reached');
    const denied = tokenError(await pollToken(portal, device_code));
    expect(denied).toMatchObject({ error: 'access_denied', error_description: expect.stringContaining('the limit is 2 per user') });
    portal.clock.advance(5000);
    expect(tokenError(await pollToken(portal, device_code)).error).toBe('access_denied');

    // Revoked devices do not count: after revoking one, the user can enroll again.
    const [first] = (await portal.ctx.store.listDevices(portal.ctx.org.id)).filter((d) => d.userId === portal.user.user.id);
    await portal.ctx.store.updateDevice(first?.id ?? '', { revokedAt: portal.clock.now });
    expect((await enrollmentTokenGrant(portal, token, 'user@example.test')).status).toBe(200);
  });
});
