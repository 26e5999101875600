/**
 * RFC 8628 enrollment end to end over real HTTP: a device asks for a code, polls the token
 * endpoint, and a signed-in person approves or denies it on the real verification page.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, DEVICE_CODE_GRANT, DeviceTokenResponse, Jwks, TokenError } from '../../../protocol/portal.js';
import { authorize, pollToken, postForm } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;
let browser: BrowserSession;

beforeAll(async () => {
  // Every poll answered at once: these tests move the portal's clock between polls. Held polls
  // (RFC 8628 long polling) have their own tests in enrollment-hold.test.ts.
  portal = await startTestPortal({ tokenHoldSeconds: 0 });
  browser = await signIn(portal.url, portal.user);
});
afterAll(() => portal.close());

function page(path: string, session: BrowserSession | null = browser): Promise<Response> {
  return fetch(`${portal.url}${path}`, { redirect: 'manual', headers: session ? { cookie: session.cookie } : {} });
}

function decide(decision: 'approve' | 'deny', userCode: string, csrf: string, session: BrowserSession = browser): Promise<Response> {
  return fetch(`${portal.url}/device/${decision}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, _csrf: csrf }),
  });
}

/** Opens the confirmation page as the person would and returns the CSRF token of its form. */
async function confirmationCsrf(userCode: string): Promise<string> {
  const res = await page(`/device?user_code=${encodeURIComponent(userCode)}`);
  expect(res.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  expect(csrf).toBeDefined();
  return csrf ?? '';
}

async function approve(userCode: string): Promise<void> {
  const res = await decide('approve', userCode, await confirmationCsrf(userCode));
  expect(res.status).toBe(200);
}

function tokenError(reply: { status: number; json: unknown }): string {
  expect(reply.status).toBe(400);
  return TokenError.parse(reply.json).error;
}

/** Moves the portal clock past the polling interval before the next poll. */
function wait(seconds: number): void {
  portal.clock.advance(seconds * 1000);
}

describe('device authorization request (RFC 8628 §3.1–3.2)', () => {
  it('answers with a device code, a user code, the verification URIs, expiry and interval', async () => {
    const res = await postForm(`${portal.url}/api/v1/device/authorize`, { client_id: CLIENT_ID, device_name: 'laptop', os: 'macos' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.json as Record<string, unknown>;
    expect(body).toEqual({
      device_code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      user_code: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      verification_uri: `${portal.url}/device`,
      verification_uri_complete: `${portal.url}/device?user_code=${String(body.user_code)}`,
      expires_in: 600,
      interval: 5,
    });
  });

  it('refuses a wrong client, missing or invalid fields, and JSON bodies', async () => {
    const url = `${portal.url}/api/v1/device/authorize`;
    expect(tokenError(await postForm(url, { client_id: 'other', device_name: 'x', os: 'linux' }))).toBe('invalid_client');
    expect(tokenError(await postForm(url, { device_name: 'x', os: 'linux' }))).toBe('invalid_request');
    expect(tokenError(await postForm(url, { client_id: CLIENT_ID, device_name: 'x', os: 'beos' }))).toBe('invalid_request');
    expect(tokenError(await postForm(url, { client_id: CLIENT_ID, os: 'linux' }))).toBe('invalid_request');
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: CLIENT_ID, device_name: 'x', os: 'linux' }) });
    expect(json.status).toBe(400);
    expect(TokenError.parse(await json.json())).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('x-www-form-urlencoded') });
  });
});

describe('token endpoint errors (RFC 8628 §3.5, RFC 6749 §5.2)', () => {
  const token = (fields: Record<string, string>) => postForm(`${portal.url}/api/v1/device/token`, fields);

  it('names each problem with its RFC error code, never cached', async () => {
    const reply = await token({ client_id: CLIENT_ID });
    expect(tokenError(reply)).toBe('invalid_request');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(tokenError(await token({ grant_type: 'password', client_id: CLIENT_ID }))).toBe('unsupported_grant_type');
    expect(tokenError(await token({ grant_type: DEVICE_CODE_GRANT, client_id: 'other', device_code: 'x' }))).toBe('invalid_client');
    expect(tokenError(await token({ grant_type: DEVICE_CODE_GRANT, client_id: CLIENT_ID }))).toBe('invalid_request');
    expect(tokenError(await token({ grant_type: DEVICE_CODE_GRANT, client_id: CLIENT_ID, device_code: 'no-such-code' }))).toBe('invalid_grant');
  });

  it('says authorization_pending while the person has not decided, and slow_down (+5 s) to a device that polls too fast', async () => {
    const { device_code, interval } = await authorize(portal);
    expect(tokenError(await pollToken(portal, device_code))).toBe('authorization_pending');
    wait(interval - 1);
    const fast = await pollToken(portal, device_code);
    expect(tokenError(fast)).toBe('slow_down');
    expect(TokenError.parse(fast.json).error_description).toContain('10 s');
    // The interval is now 10 s: a poll 5 s later is still too fast (and adds another 5 s)…
    wait(5);
    const faster = await pollToken(portal, device_code);
    expect(tokenError(faster)).toBe('slow_down');
    expect(TokenError.parse(faster.json).error_description).toContain('15 s');
    // …and a device that keeps to the interval it was told is served normally.
    wait(15);
    expect(tokenError(await pollToken(portal, device_code))).toBe('authorization_pending');
    wait(15);
    expect(tokenError(await pollToken(portal, device_code))).toBe('authorization_pending');
  });

  it('says expired_token once the device code has expired, and the page no longer offers it', async () => {
    const { device_code, user_code, expires_in } = await authorize(portal);
    wait(expires_in);
    expect(tokenError(await pollToken(portal, device_code))).toBe('expired_token');
    const res = await page(`/device?user_code=${user_code}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('not waiting for approval');
    expect((await decide('approve', user_code, browser.csrfToken)).status).toBe(404);
  });
});

describe('approval on the verification page (RFC 8628 §3.3)', () => {
  it('sends a visitor who is not signed in to sign in, and back to the code afterwards', async () => {
    const { user_code, verification_uri_complete } = await authorize(portal);
    const res = await fetch(verification_uri_complete, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toBe(`/auth/sign-in?return_to=${encodeURIComponent(`/device?user_code=${user_code}`)}`);
    const returnTo = new URL(location, portal.url).searchParams.get('return_to') ?? '';
    const session = await signIn(portal.url, portal.user, returnTo);
    expect(session.location).toBe(`/device?user_code=${user_code}`);
    const confirm = await page(session.location, session);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Approve this device?');
  });

  it('offers a form for the code, then shows the device to confirm, escaped, in a page that cannot be framed', async () => {
    const form = await page('/device');
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toMatch(/^text\/html/);
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    expect(form.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const formHtml = await form.text();
    expect(formHtml).toContain('<form method="get" action="/device">');
    expect(formHtml).toContain('name="user_code"');

    const { user_code } = await authorize(portal, { device_name: '<b>Bobby</b> "tables"', os: 'windows', os_version: '11 23H2' });
    // People type codes in lower case, without the dash, with spaces.
    const typed = ` ${user_code.replace('-', '').toLowerCase()} `;
    const confirm = await page(`/device?user_code=${encodeURIComponent(typed)}`);
    expect(confirm.status).toBe(200);
    const text = await confirm.text();
    expect(text).toContain(user_code);
    expect(text).toContain('Bobby');
    expect(text).not.toContain('<b>Bobby</b>');
    expect(text).not.toContain('"tables"');
    expect(text).toContain('Windows');
    expect(text).toContain('11 23H2');
    expect(text).toContain('action="/device/approve"');
    expect(text).toContain('formaction="/device/deny"');
  });

  it('says so for an unknown code, keeping what was typed', async () => {
    const res = await page('/device?user_code=ZZZZ-ZZZZ');
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).toContain('not waiting for approval');
    expect(text).toContain('value="ZZZZ-ZZZZ"');
  });

  it('refuses approve and deny without the session CSRF token, or without a session', async () => {
    const { user_code, device_code } = await authorize(portal);
    const forged = await decide('approve', user_code, 'not-the-token');
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('Please try again');
    const anonymous = await fetch(`${portal.url}/device/approve`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code, _csrf: 'x' }),
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toContain('/auth/sign-in');
    expect(tokenError(await pollToken(portal, device_code))).toBe('authorization_pending');
  });

  it('enrolls the device after approval: one credential, the org, the user and the keys to pin', async () => {
    const { device_code, user_code } = await authorize(portal, { device_name: 'work laptop', os: 'macos', os_version: '15.1' });
    const csrf = await confirmationCsrf(user_code);
    const approved = await decide('approve', user_code, csrf);
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('You can close this tab; your device work laptop is signing in');

    const res = await pollToken(portal, device_code);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = DeviceTokenResponse.parse(res.json);
    expect(body.device_credential).toBe(`wgd.${body.device_id}.${body.device_credential.split('.')[2]}`);
    expect(body.org).toEqual({ id: portal.ctx.org.id, name: 'Test Org' });
    expect(body.user).toEqual({ id: portal.user.user.id, email: 'user@example.test', name: 'Uma User' });
    const jwks = Jwks.parse(await (await fetch(`${portal.url}/.well-known/jwks.json`)).json());
    expect(body.portal_keys).toEqual(jwks);

    const device = await portal.ctx.store.getDevice(body.device_id);
    expect(device).toMatchObject({ name: 'work laptop', userId: portal.user.user.id, fingerprint: { os: 'macos', osVersion: '15.1' }, revokedAt: null });
    expect(device?.credentialHash).toBe(createHash('sha256').update(body.device_credential).digest('base64url'));

    // The code is spent: polling again, or approving again, gets nothing more.
    expect(tokenError(await pollToken(portal, device_code))).toBe('invalid_grant');
    expect((await decide('approve', user_code, csrf)).status).toBe(404);

    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['device.authorization.approve', 'device.enroll']));
    expect(JSON.stringify(audit)).not.toContain(body.device_credential);
  });

  it('answers access_denied after the person denies', async () => {
    const { device_code, user_code } = await authorize(portal);
    const denied = await decide('deny', user_code, await confirmationCsrf(user_code));
    expect(denied.status).toBe(200);
    expect(await denied.text()).toContain('will not be signed in');
    expect(tokenError(await pollToken(portal, device_code))).toBe('access_denied');
    wait(5);
    expect(tokenError(await pollToken(portal, device_code))).toBe('access_denied');
    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'device.authorization.deny', actorUserId: portal.user.user.id, details: expect.objectContaining({ userCode: user_code }) }),
    );
  });

  it('yields exactly one credential when the approved code is polled twice at once', async () => {
    const { device_code, user_code } = await authorize(portal);
    await approve(user_code);
    const before = (await portal.ctx.store.listDevices(portal.ctx.org.id)).length;
    const replies = await Promise.all(Array.from({ length: 6 }, () => pollToken(portal, device_code)));
    const winners = replies.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of replies.filter((r) => r.status !== 200)) expect(tokenError(loser)).toBe('invalid_grant');
    expect((await portal.ctx.store.listDevices(portal.ctx.org.id)).length).toBe(before + 1);
  });
});
