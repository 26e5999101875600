/**
 * The one place tests know how to sign in to the portal: the way a browser does (the HTML form,
 * then the TOTP form when the account has a second factor), then GET /auth/session for the CSRF
 * token. The result carries the cookie and the token, and a fetch that sends both.
 *
 *   const admin = await signIn(portal, portal.admin);                    // Created, or {email, password}
 *   const res = await admin.fetch('/api/v1/admin/users');                 // cookie (and CSRF on non-GET) added
 *   const { status, body } = await admin.json('PUT', '/api/v1/admin/policy', { document });
 *   const s = await signIn(portal.url, portal.user, '/device?user_code=…'); s.location → where it landed
 *   await signIn(portal, who, { totpSecret });                            // code computed at the portal's clock
 *
 * TOTP codes are accepted once each: signing the same TOTP user in twice needs the portal clock to
 * move on by 30 s in between (portal.clock.advance(30_000)).
 */
import { TOTP, Secret } from 'otpauth';
import { SessionInfo, type SessionUser } from '../../protocol/portal-admin.js';
import type { TestPortal } from './portal.js';

export interface Credentials {
  email: string;
  password: string;
}

export interface SignInOptions {
  /** Where to go after signing in (the form's return_to). */
  returnTo?: string;
  /** The account's base32 TOTP secret, when it has one. */
  totpSecret?: string;
}

export interface BrowserSession {
  /** `name=value`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
  user: SessionUser;
  /** Where the sign-in sent the browser (the 303's Location). */
  location: string;
  /** fetch on the portal with the cookie, the CSRF header on non-GET requests, and manual redirects. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON request; the body is parsed when the response is JSON. */
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
}

/** The `name=value` of the first cookie a response sets, or null. */
export function setCookieOf(res: Response): string | null {
  const first = res.headers.getSetCookie()[0];
  return first ? (first.split(';')[0] ?? null) : null;
}

/** The TOTP code for `secret` at `now` (the portal's clock). */
export function totpCode(secret: string, now: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: now });
}

function credentialsOf(who: Credentials | { user: { email: string }; password: string }): Credentials {
  return 'user' in who ? { email: who.user.email, password: who.password } : who;
}

export async function signIn(
  portal: TestPortal | string,
  who: Credentials | { user: { email: string }; password: string },
  options: SignInOptions | string = {},
): Promise<BrowserSession> {
  const base = typeof portal === 'string' ? portal : portal.url;
  const opts: SignInOptions = typeof options === 'string' ? { returnTo: options } : options;
  const { email, password } = credentialsOf(who);
  const form = new URLSearchParams({ email, password, ...(opts.returnTo ? { return_to: opts.returnTo } : {}) });
  const res = await fetch(`${base}/auth/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  let cookie = setCookieOf(res);
  let location = res.headers.get('location') ?? '';
  if (res.status !== 303 || !cookie) throw new Error(`sign-in as ${email} failed: HTTP ${res.status}\n${await res.text()}`);

  if (location.startsWith('/auth/totp')) {
    if (!opts.totpSecret) throw new Error(`${email} has TOTP: pass { totpSecret } to signIn`);
    const pending = await fetch(`${base}/auth/session`, { headers: { cookie } });
    const details = ((await pending.json()) as { details?: { csrfToken?: string } }).details;
    const now = typeof portal === 'string' ? Date.now() : portal.clock.now;
    const step = await fetch(`${base}/auth/totp`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: totpCode(opts.totpSecret, now), _csrf: details?.csrfToken ?? '', ...(opts.returnTo ? { return_to: opts.returnTo } : {}) }),
    });
    cookie = setCookieOf(step);
    location = step.headers.get('location') ?? '';
    if (step.status !== 303 || !cookie) throw new Error(`TOTP step for ${email} failed: HTTP ${step.status}\n${await step.text()}`);
  }

  const sessionCookie = cookie;
  const info = await fetch(`${base}/auth/session`, { headers: { cookie: sessionCookie } });
  if (info.status !== 200) throw new Error(`GET /auth/session after signing in as ${email}: HTTP ${info.status}\n${await info.text()}`);
  const session = SessionInfo.parse(await info.json());

  const sessionFetch = (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('cookie', sessionCookie);
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && !headers.has('x-csrf-token')) headers.set('x-csrf-token', session.csrfToken);
    return fetch(`${base}${path}`, { redirect: 'manual', ...init, headers });
  };

  return {
    cookie: sessionCookie,
    csrfToken: session.csrfToken,
    user: session.user,
    location,
    fetch: sessionFetch,
    async json<T>(method: string, path: string, body?: unknown) {
      const res = await sessionFetch(path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await res.text();
      const isJson = (res.headers.get('content-type') ?? '').includes('json') && text.length > 0;
      return { status: res.status, body: (isJson ? JSON.parse(text) : text) as T, headers: res.headers };
    },
  };
}
