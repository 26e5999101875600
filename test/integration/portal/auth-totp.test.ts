/**
 * TOTP: enrolment by a signed-in user, then the second step at every sign-in — codes made with
 * otpauth at the portal's clock, accepted once, wrong ones counted towards the lockout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfaRequiredDetails, SessionInfo, TotpSetupResponse } from '../../../protocol/portal-admin.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { setCookieOf, signIn, totpCode } from '../../support/portal-sign-in.js';

let portal: TestPortal;
let secret: string;

beforeAll(async () => {
  portal = await startTestPortal();
});
afterAll(() => portal.close());

const STEP = 30_000;

async function passwordStep(): Promise<{ res: Response; cookie: string; csrfToken: string }> {
  const res = await fetch(`${portal.url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: portal.admin.user.email, password: portal.admin.password }),
  });
  const body = (await res.clone().json()) as { details?: unknown };
  const csrfToken = res.status === 401 ? MfaRequiredDetails.parse(body.details).csrfToken : '';
  return { res, cookie: setCookieOf(res) ?? '', csrfToken };
}

function totpStep(cookie: string, csrfToken: string, code: string): Promise<Response> {
  return fetch(`${portal.url}/auth/totp`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
}

describe('enrolling an authenticator app', () => {
  it('setup gives a secret and an otpauth URI; confirm with a code turns TOTP on', async () => {
    const admin = await signIn(portal, portal.admin);
    const setup = await admin.json('POST', '/auth/totp/setup');
    expect(setup.status).toBe(200);
    const { secret: s, uri } = TotpSetupResponse.parse(setup.body);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Test%20Org%20\(Waygate\):admin%40example\.test\?/);
    expect((await portal.ctx.store.getUser(portal.admin.user.id))?.totpSecret).toBeNull();

    const wrong = await admin.json('POST', '/auth/totp/confirm', { secret: s, code: '000000' === totpCode(s, portal.clock.now) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    const confirmed = await admin.json('POST', '/auth/totp/confirm', { secret: s, code: totpCode(s, portal.clock.now) });
    expect(confirmed.status).toBe(200);
    expect(SessionInfo.parse(confirmed.body).user.totpEnabled).toBe(true);
    expect((await portal.ctx.store.getUser(portal.admin.user.id))?.totpSecret).toBe(s);
    secret = s;
    portal.clock.advance(STEP);
  });

  it('needs the CSRF token like every other change', async () => {
    const user = await signIn(portal, portal.user);
    const res = await fetch(`${portal.url}/auth/totp/setup`, { method: 'POST', headers: { cookie: user.cookie } });
    expect(res.status).toBe(403);
  });
});

describe('signing in with TOTP', () => {
  it('the password alone gives MFA_REQUIRED and a pending session that opens nothing', async () => {
    const { res, cookie, csrfToken } = await passwordStep();
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('MFA_REQUIRED');
    expect(cookie).toMatch(/^waygate_session=/);
    expect(csrfToken).not.toBe('');

    const session = await fetch(`${portal.url}/auth/session`, { headers: { cookie } });
    expect(session.status).toBe(401);
    expect(((await session.json()) as { code: string }).code).toBe('MFA_REQUIRED');
    const api = await fetch(`${portal.url}/api/v1/admin/users`, { headers: { cookie } });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { code: string }).code).toBe('MFA_REQUIRED');
  });

  it('refuses a wrong code and a code without the CSRF token; accepts the right code once', async () => {
    const { cookie, csrfToken } = await passwordStep();
    const code = totpCode(secret, portal.clock.now);

    const noCsrf = await totpStep(cookie, 'wrong', code);
    expect(noCsrf.status).toBe(403);

    const wrong = await totpStep(cookie, csrfToken, code === '123456' ? '654321' : '123456');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe('MFA_REQUIRED');

    const ok = await totpStep(cookie, csrfToken, code);
    expect(ok.status).toBe(200);
    const info = SessionInfo.parse(await ok.json());
    expect(info.user.totpEnabled).toBe(true);
    // The pending session is replaced: the id seen before the second factor is worth nothing now.
    const complete = setCookieOf(ok) ?? '';
    expect(complete).not.toBe(cookie);
    expect((await fetch(`${portal.url}/auth/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${portal.url}/api/v1/admin/users`, { headers: { cookie: complete } })).status).toBe(200);

    // The same code again, in a new sign-in within its 30 s: refused.
    const again = await passwordStep();
    expect((await totpStep(again.cookie, again.csrfToken, code)).status).toBe(401);
    portal.clock.advance(STEP);
  });

  it('the HTML flow goes from the password form to the code form and on to return_to', async () => {
    const form = await fetch(`${portal.url}/auth/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: portal.admin.user.email, password: portal.admin.password, return_to: '/admin/devices' }),
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/auth/totp?return_to=%2Fadmin%2Fdevices');
    const cookie = setCookieOf(form) ?? '';
    const page = await fetch(`${portal.url}/auth/totp?return_to=%2Fadmin%2Fdevices`, { headers: { cookie } });
    const html = await page.text();
    expect(html).toContain('autocomplete="one-time-code"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

    const step = await fetch(`${portal.url}/auth/totp`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: totpCode(secret, portal.clock.now), _csrf: csrf, return_to: '/admin/devices' }),
    });
    expect(step.status).toBe(303);
    expect(step.headers.get('location')).toBe('/admin/devices');
    portal.clock.advance(STEP);
  });

  it('the test helper signs a TOTP user in with the secret', async () => {
    const admin = await signIn(portal, portal.admin, { totpSecret: secret });
    expect(admin.user.totpEnabled).toBe(true);
    portal.clock.advance(STEP);
  });

  it('wrong codes count towards the lockout, which ends the pending session', async () => {
    const { cookie, csrfToken } = await passwordStep();
    const right = totpCode(secret, portal.clock.now);
    const wrongCode = right === '000000' ? '999999' : '000000';
    for (let i = 0; i < 4; i++) expect((await totpStep(cookie, csrfToken, wrongCode)).status).toBe(401);
    const fifth = await totpStep(cookie, csrfToken, wrongCode);
    expect(fifth.status).toBe(423);
    expect((await totpStep(cookie, csrfToken, right)).status).toBe(401);
    portal.clock.advance(15 * 60_000);
  });

  it('replacing the authenticator needs a code from the current one', async () => {
    const admin = await signIn(portal, portal.admin, { totpSecret: secret });
    const { secret: next } = TotpSetupResponse.parse((await admin.json('POST', '/auth/totp/setup')).body);
    portal.clock.advance(STEP);
    const without = await admin.json<{ message: string }>('POST', '/auth/totp/confirm', { secret: next, code: totpCode(next, portal.clock.now) });
    expect(without.status).toBe(400);
    expect(without.body.message).toContain('currentCode');
    const replaced = await admin.json('POST', '/auth/totp/confirm', {
      secret: next,
      code: totpCode(next, portal.clock.now),
      currentCode: totpCode(secret, portal.clock.now),
    });
    expect(replaced.status).toBe(200);
    expect((await portal.ctx.store.getUser(portal.admin.user.id))?.totpSecret).toBe(next);
  });
});
