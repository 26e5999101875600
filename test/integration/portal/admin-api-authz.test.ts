/**
 * Every admin API route: 401 without a session, 403 for a signed-in user who is not an admin,
 * 403 CSRF_FAILED for an admin's change without the CSRF token. The route table below is checked
 * against the routes the portal really has, so a new route cannot skip this test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';

const API = '/api/v1/admin';

/** [method, path, body] — ids are placeholders: authorization is decided before anything is looked up. */
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/dashboard'],
  ['GET', '/devices'],
  ['GET', '/devices.csv'],
  ['GET', '/devices/x'],
  ['POST', '/devices/x/revoke', {}],
  ['DELETE', '/devices/x'],
  ['POST', '/devices/x/one-time-codes', { kind: 'disable' }],
  ['GET', '/policy'],
  ['PUT', '/policy', { document: {} }],
  ['GET', '/policy/versions'],
  ['GET', '/policy/versions/1'],
  ['POST', '/policy/simulate', { userEmail: 'a@b.test', os: 'linux', networkType: 'trusted', url: 'https://example.com/' }],
  ['GET', '/users'],
  ['POST', '/users', { email: 'new@example.test', name: 'New' }],
  ['PATCH', '/users/x', { role: 'admin' }],
  ['DELETE', '/users/x'],
  ['PUT', '/users/x/groups', { groupIds: [] }],
  ['GET', '/groups'],
  ['POST', '/groups', { name: 'g' }],
  ['DELETE', '/groups/x'],
  ['GET', '/enrollment-tokens'],
  ['POST', '/enrollment-tokens', { label: 't' }],
  ['POST', '/enrollment-tokens/x/revoke', {}],
  ['GET', '/tickets'],
  ['GET', '/tickets/x'],
  ['GET', '/tickets/x/bundle'],
  ['POST', '/tickets/x/close', {}],
  ['GET', '/audit'],
];

let portal: TestPortal;
let admin: BrowserSession;
let user: BrowserSession;

beforeAll(async () => {
  portal = await startTestPortal();
  admin = await signIn(portal, portal.admin);
  user = await signIn(portal, portal.user);
});
afterAll(() => portal.close());

function request(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${portal.url}${API}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

describe('admin API authorization', () => {
  it('the table covers every admin route the portal has', () => {
    // printRoutes draws a tree: four characters of indent per level, then the segment and its methods.
    const tree = portal.app.printRoutes({ commonPrefix: false });
    const registered = new Set<string>();
    const stack: string[] = [];
    for (const line of tree.split('\n')) {
      const match = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/.exec(line);
      if (!match?.[2]) continue;
      stack.length = (match[1] ?? '').length / 4;
      stack.push(match[2]);
      const path = stack.join('');
      if (!path.startsWith(API) || !match[3]) continue;
      for (const method of match[3].split(',').map((m) => m.trim())) if (method !== 'HEAD') registered.add(`${method} ${path}`);
    }
    const table = new Set(ROUTES.map(([method, path]) => `${method} ${API}${path.replace(/\/x(?=\/|$)/, '/:id').replace(/\/1$/, '/:version')}`));
    expect([...registered].sort()).toEqual([...table].sort());
  });

  it.each(ROUTES)('%s %s: 401 without a session', async (method, path, body) => {
    const res = await request(method, path, body, {});
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('UNAUTHENTICATED');
  });

  it.each(ROUTES)('%s %s: 403 for a user who is not an admin', async (method, path, body) => {
    const res = await request(method, path, body, { cookie: user.cookie, 'x-csrf-token': user.csrfToken });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('PERMISSION_DENIED');
  });

  it.each(ROUTES.filter(([method]) => method !== 'GET'))('%s %s: 403 for an admin without the CSRF token', async (method, path, body) => {
    const res = await request(method, path, body, { cookie: admin.cookie });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('CSRF_FAILED');
    const forged = await request(method, path, body, { cookie: admin.cookie, 'x-csrf-token': user.csrfToken });
    expect(await codeOf(forged)).toBe('CSRF_FAILED');
  });

  it('lets the admin in, and marks answers uncacheable', async () => {
    const res = await admin.fetch(`${API}/users`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
