/**
 * Password sign-in over real HTTP: the form and JSON flows, the session cookie, CSRF, return_to,
 * sign-out and password change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionInfo } from '../../../protocol/portal-admin.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { setCookieOf, signIn } from '../../support/portal-sign-in.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
});
afterAll(() => portal.close());

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${portal.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
}

function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${portal.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('the sign-in page', () => {
  it('is a plain accessible form that allows no script and cannot be framed', async () => {
    const res = await fetch(`${portal.url}/auth/sign-in?return_to=${encodeURIComponent('/device?user_code=ABCD-EFGH')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).toContain('value="/device?user_code=ABCD-EFGH"');
    expect(html).toContain('Sign in to Test Org');
    // No SSO configured: no SSO button.
    expect(html).not.toContain('/auth/oidc/start');
  });

  it('escapes what it echoes back after a failed sign-in', async () => {
    const res = await postForm('/auth/sign-in', { email: '"><script>alert(1)</script>@x.test', password: 'nope' });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
    expect(html).toContain('role="alert"');
  });
});

describe('signing in', () => {
  it('with the form: sets the session cookie and sends the browser to return_to', async () => {
    const res = await postForm('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password, return_to: '/device?user_code=WDJB-MJHT' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/device?user_code=WDJB-MJHT');
    const setCookie = res.headers.getSetCookie()[0] ?? '';
    expect(setCookie).toMatch(/^waygate_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain(`Max-Age=${12 * 3600}`);
    // Plain HTTP portal: no Secure flag (the browser would drop the cookie) and no __Host- prefix.
    expect(setCookie).not.toContain('Secure');
  });

  it('lands admins on the console and users on the signed-in page when no return_to is given', async () => {
    const admin = await postForm('/auth/sign-in', { email: portal.admin.user.email, password: portal.admin.password });
    expect(admin.headers.get('location')).toBe('/admin/');
    const user = await postForm('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password });
    expect(user.headers.get('location')).toBe('/auth/sign-in');
    const page = await fetch(`${portal.url}/auth/sign-in`, { headers: { cookie: setCookieOf(user) ?? '' } });
    const html = await page.text();
    expect(html).toContain('You are signed in');
    expect(html).toContain('Uma User');
    expect(html).toContain('name="_csrf"');
  });

  it('with JSON: answers the session with its CSRF token; the cookie stores only a hash', async () => {
    const res = await postJson('/auth/sign-in', { email: 'USER@example.test ', password: portal.user.password });
    expect(res.status).toBe(200);
    const info = SessionInfo.parse(await res.json());
    expect(info.user).toEqual({ id: portal.user.user.id, email: 'user@example.test', name: 'Uma User', role: 'user', totpEnabled: false, hasPassword: true });
    expect(info.expiresAt).toBe(portal.clock.now + 12 * 3600_000);
    const cookieValue = (setCookieOf(res) ?? '').split('=')[1] ?? '';
    expect(await portal.ctx.store.getSession(cookieValue)).toBeNull();
    const session = await fetch(`${portal.url}/auth/session`, { headers: { cookie: setCookieOf(res) ?? '' } });
    expect(SessionInfo.parse(await session.json()).csrfToken).toBe(info.csrfToken);
  });

  it('gives one generic answer for an unknown account and for a wrong password', async () => {
    const unknown = await postJson('/auth/sign-in', { email: 'nobody@example.test', password: 'whatever-password' });
    const wrong = await postJson('/auth/sign-in', { email: portal.user.user.email, password: 'wrong-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const a = (await unknown.json()) as { code: string; message: string };
    const b = (await wrong.json()) as { code: string; message: string };
    expect(a).toEqual(b);
    expect(a.code).toBe('UNAUTHENTICATED');
    expect(unknown.headers.get('set-cookie')).toBeNull();
    await portal.ctx.store.updateUser(portal.user.user.id, { failedSignIns: 0 });
  });

  it('refuses a malformed body with the fields that are wrong', async () => {
    const res = await postJson('/auth/sign-in', { email: 'a@b.test' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; details: { errors: { path: string }[] } };
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.details.errors.map((e) => e.path)).toEqual(['password']);
  });

  it('refuses a form posted from another origin (login CSRF)', async () => {
    const res = await postForm('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('CSRF_FAILED');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a disabled account once the password is right', async () => {
    await portal.ctx.store.updateUser(portal.user.user.id, { disabled: true });
    try {
      const res = await postJson('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { message: string }).message).toContain('disabled');
    } finally {
      await portal.ctx.store.updateUser(portal.user.user.id, { disabled: false });
    }
  });
});

describe('return_to', () => {
  const offsite = ['https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)'];

  it('the page refuses links that leave the portal', async () => {
    for (const target of offsite) {
      const res = await fetch(`${portal.url}/auth/sign-in?return_to=${encodeURIComponent(target)}`);
      expect(res.status, target).toBe(400);
      expect(await res.text()).toContain('return_to must be a path on this portal');
    }
  });

  it('the form and JSON sign-in refuse them too, before checking the password', async () => {
    for (const target of offsite) {
      const form = await postForm('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password, return_to: target });
      expect(form.status, target).toBe(400);
      expect(form.headers.get('location')).toBeNull();
      expect(form.headers.get('set-cookie')).toBeNull();
      const json = await postJson('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password, return_to: target });
      expect(json.status, target).toBe(400);
    }
  });

  it('a signed-in visitor is sent on to a same-origin return_to at once', async () => {
    const session = await signIn(portal, portal.user);
    const res = await session.fetch('/auth/sign-in?return_to=%2Fdevice');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/device');
  });
});

describe('the session', () => {
  it('GET /auth/session is 401 without a cookie, and with an unknown one', async () => {
    expect((await fetch(`${portal.url}/auth/session`)).status).toBe(401);
    const res = await fetch(`${portal.url}/auth/session`, { headers: { cookie: 'waygate_session=forged' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
  });

  it('expires after sessionTtlHours on the portal clock', async () => {
    const session = await signIn(portal, portal.user);
    portal.clock.advance(12 * 3600_000 - 1);
    expect((await session.fetch('/auth/session')).status).toBe(200);
    portal.clock.advance(1);
    expect((await session.fetch('/auth/session')).status).toBe(401);
  });

  it('sign-out needs the CSRF token, then ends the session for good', async () => {
    const session = await signIn(portal, portal.user);
    const forged = await session.fetch('/auth/sign-out', { method: 'POST', headers: { 'x-csrf-token': 'wrong' } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('CSRF_FAILED');
    expect((await session.fetch('/auth/session')).status).toBe(200);

    const out = await session.fetch('/auth/sign-out', { method: 'POST' });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^waygate_session=;/);
    expect((await session.fetch('/auth/session')).status).toBe(401);
  });

  it('sign-out from the HTML form takes the _csrf field and returns to the sign-in page', async () => {
    const session = await signIn(portal, portal.user);
    const res = await postForm('/auth/sign-out', { _csrf: session.csrfToken }, { cookie: session.cookie });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/sign-in');
    expect((await session.fetch('/auth/session')).status).toBe(401);
  });
});

describe('the session cookie on an HTTPS portal', () => {
  it('is Secure with the __Host- prefix', async () => {
    const secure = await startTestPortal();
    try {
      secure.ctx.config.publicUrl = 'https://portal.example.test';
      const res = await fetch(`${secure.url}/auth/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: secure.user.user.email, password: secure.user.password }),
      });
      expect(res.status).toBe(200);
      const setCookie = res.headers.getSetCookie()[0] ?? '';
      expect(setCookie).toMatch(/^__Host-waygate_session=/);
      expect(setCookie).toContain('Secure');
      expect(setCookie).toContain('Path=/');
      expect(setCookie).not.toContain('Domain=');
    } finally {
      await secure.close();
    }
  });
});

describe('changing the password', () => {
  it('needs the current password and the CSRF token, and signs out every other session', async () => {
    const other = await signIn(portal, portal.user);
    const session = await signIn(portal, portal.user);

    const noCsrf = await fetch(`${portal.url}/auth/password`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: portal.user.password, newPassword: 'a brand new passphrase' }),
    });
    expect(noCsrf.status).toBe(403);

    const wrong = await session.json('POST', '/auth/password', { currentPassword: 'not it', newPassword: 'a brand new passphrase' });
    expect(wrong.status).toBe(403);
    await portal.ctx.store.updateUser(portal.user.user.id, { failedSignIns: 0 });

    const short = await session.json<{ code: string; message: string }>('POST', '/auth/password', { currentPassword: portal.user.password, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.message).toContain('at least 12 characters');

    const changed = await session.json('POST', '/auth/password', { currentPassword: portal.user.password, newPassword: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    // This browser gets a new session; every earlier one, this browser's included, is gone.
    const renewed = changed.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect(renewed).toMatch(/^waygate_session=/);
    expect(renewed).not.toBe(session.cookie);
    expect((await fetch(`${portal.url}/auth/session`, { headers: { cookie: renewed } })).status).toBe(200);
    expect((await other.fetch('/auth/session')).status).toBe(401);
    expect((await session.fetch('/auth/session')).status).toBe(401);

    const old = await postJson('/auth/sign-in', { email: portal.user.user.email, password: portal.user.password });
    expect(old.status).toBe(401);
    await signIn(portal, { email: portal.user.user.email, password: 'a brand new passphrase' });
    portal.user.password = 'a brand new passphrase';
  });
});
