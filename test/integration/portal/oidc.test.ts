/**
 * Single sign-on against a real OpenID Provider (oidc-provider on loopback): authorization code
 * with PKCE, state and nonce; users created or linked; groups synced from the claim on every
 * sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionInfo } from '../../../protocol/portal-admin.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { setCookieOf } from '../../support/portal-sign-in.js';
import { listenTestOidcProvider, loginAtProvider, type TestOidcProvider } from '../../support/test-oidc-provider.js';

let op: TestOidcProvider;
let portal: TestPortal;

beforeAll(async () => {
  op = await listenTestOidcProvider();
  portal = await startTestPortal({ oidc: { issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, displayName: 'Sign in with Test IdP' } });
  op.start(`${portal.url}/auth/oidc/callback`);
});
afterAll(async () => {
  await portal.close();
  await op.close();
});

interface Finished {
  status: number;
  location: string | null;
  cookie: string | null;
  html: string;
}

/** The whole browser journey: portal → provider (login, consent) → portal callback. */
async function ssoSignIn(subject: string, returnTo = '/admin/'): Promise<Finished> {
  const start = await fetch(`${portal.url}/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  expect(start.status).toBe(303);
  const transaction = setCookieOf(start) ?? '';
  expect(transaction).toMatch(/^waygate_oidc=/);
  const authorization = new URL(start.headers.get('location') ?? '');
  expect(authorization.origin).toBe(op.issuer);
  expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorization.searchParams.get('state')).toBeTruthy();
  expect(authorization.searchParams.get('nonce')).toBeTruthy();
  expect(authorization.searchParams.get('scope')).toBe('openid email profile groups');

  const callback = await loginAtProvider(authorization.href, subject);
  expect(callback.startsWith(`${portal.url}/auth/oidc/callback?`)).toBe(true);
  const done = await fetch(callback, { redirect: 'manual', headers: { cookie: transaction } });
  return { status: done.status, location: done.headers.get('location'), cookie: done.headers.getSetCookie().find((c) => c.startsWith('waygate_session='))?.split(';')[0] ?? null, html: done.status === 303 ? '' : await done.text() };
}

async function groupNamesOf(userId: string): Promise<string[]> {
  return (await portal.ctx.store.groupsOfUser(userId)).map((g) => `${g.name} (${g.source})`).sort();
}

describe('single sign-on with OpenID Connect', () => {
  it('the sign-in page offers the button', async () => {
    const html = await (await fetch(`${portal.url}/auth/sign-in?return_to=%2Fdevice`)).text();
    expect(html).toContain('href="/auth/oidc/start?return_to=%2Fdevice"');
    expect(html).toContain('Sign in with Test IdP');
  });

  it('creates the user on first sign-in, with the groups from the claim', async () => {
    op.accounts.set('sub-grace', { email: 'Grace@Example.test', email_verified: true, name: 'Grace Hopper', groups: ['engineering', 'vpn-users'] });
    const done = await ssoSignIn('sub-grace', '/device?user_code=WDJB-MJHT');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/device?user_code=WDJB-MJHT');
    expect(done.cookie).toBeTruthy();

    const session = SessionInfo.parse(await (await fetch(`${portal.url}/auth/session`, { headers: { cookie: done.cookie ?? '' } })).json());
    expect(session.user).toMatchObject({ email: 'grace@example.test', name: 'Grace Hopper', role: 'user', hasPassword: false });
    const user = await portal.ctx.store.getUserByOidc(op.issuer, 'sub-grace');
    expect(user?.id).toBe(session.user.id);
    expect(await groupNamesOf(session.user.id)).toEqual(['engineering (oidc)', 'vpn-users (oidc)']);

    const audit = (await portal.ctx.store.listAudit(portal.ctx.org.id, 20)).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['user.create', 'group.create', 'user.groups.sync', 'auth.sign-in']));
  });

  it('updates the groups (and the name) on the next sign-in', async () => {
    op.accounts.set('sub-grace', { email: 'grace@example.test', email_verified: true, name: 'Rear Admiral Hopper', groups: ['engineering', 'ops'] });
    const done = await ssoSignIn('sub-grace');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/admin/');
    const user = await portal.ctx.store.getUserByOidc(op.issuer, 'sub-grace');
    expect(user?.name).toBe('Rear Admiral Hopper');
    expect(await groupNamesOf(user?.id ?? '')).toEqual(['engineering (oidc)', 'ops (oidc)']);
    // The group itself stays (other users may be in it); only the membership went.
    expect(await portal.ctx.store.getGroupByName(portal.ctx.org.id, 'vpn-users')).not.toBeNull();
  });

  it('links an existing portal user by verified email, and never lets the IdP touch local groups', async () => {
    await portal.ctx.store.createGroup({ id: 'local-finance', orgId: portal.ctx.org.id, name: 'finance', source: 'local' });
    await portal.ctx.store.setUserGroups(portal.user.user.id, 'local', ['local-finance']);
    op.accounts.set('sub-uma', { email: 'user@example.test', email_verified: true, name: 'Uma User', groups: ['finance', 'engineering'] });
    const done = await ssoSignIn('sub-uma');
    expect(done.status).toBe(303);
    const linked = await portal.ctx.store.getUserByOidc(op.issuer, 'sub-uma');
    expect(linked?.id).toBe(portal.user.user.id);
    expect(await groupNamesOf(portal.user.user.id)).toEqual(['engineering (oidc)', 'finance (local)']);

    op.accounts.set('sub-uma', { email: 'user@example.test', email_verified: true, name: 'Uma User', groups: [] });
    await ssoSignIn('sub-uma');
    expect(await groupNamesOf(portal.user.user.id)).toEqual(['finance (local)']);
  });

  it('refuses to link an existing account on an email the IdP has not verified', async () => {
    op.accounts.set('sub-impostor', { email: 'admin@example.test', email_verified: false, name: 'Not Ada' });
    const done = await ssoSignIn('sub-impostor');
    expect(done.status).toBe(403);
    expect(done.cookie).toBeNull();
    expect(done.html).toContain('has not verified that address');
    expect(await portal.ctx.store.getUserByOidc(op.issuer, 'sub-impostor')).toBeNull();
  });

  it('refuses a callback without its transaction cookie, with an altered one, or after ten minutes', async () => {
    op.accounts.set('sub-grace', { email: 'grace@example.test', email_verified: true, name: 'Grace', groups: [] });
    const attempt = async (cookieOf: (transaction: string) => string | null, advanceMs = 0) => {
      const start = await fetch(`${portal.url}/auth/oidc/start`, { redirect: 'manual' });
      const cookie = cookieOf(setCookieOf(start) ?? '');
      const callback = await loginAtProvider(start.headers.get('location') ?? '', 'sub-grace');
      portal.clock.advance(advanceMs);
      return fetch(callback, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    };
    const tampered = (transaction: string) => {
      const [name, value = ''] = transaction.split('=');
      const [payload = '', mac = ''] = value.split('.');
      const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), returnTo: '/elsewhere' })).toString('base64url');
      return `${name}=${changed}.${mac}`;
    };
    for (const res of [await attempt(() => null), await attempt(tampered), await attempt((t) => t, 10 * 60_000)]) {
      expect(res.status).toBe(400);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('waygate_session='))).toBe(false);
      expect(await res.text()).toContain('Start again');
    }
  });

  it('refuses a return_to that leaves the portal', async () => {
    const res = await fetch(`${portal.url}/auth/oidc/start?return_to=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});
