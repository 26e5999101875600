/** Rate limits on sign-in: per account (whatever the address) and per client address. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_ACCOUNT_MAX, PER_IP_MAX, WINDOW_MS } from '../../../cloud/portal/auth/rate-limits.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
});
afterAll(() => portal.close());

function signInJson(email: string, password: string): Promise<Response> {
  return fetch(`${portal.url}/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
}

describe('sign-in rate limits', () => {
  it(`allow ${PER_ACCOUNT_MAX} attempts a minute per account, then 429 until the window passes`, async () => {
    for (let i = 0; i < PER_ACCOUNT_MAX; i++) expect((await signInJson(portal.admin.user.email, portal.admin.password)).status).toBe(200);
    const limited = await signInJson(portal.admin.user.email, portal.admin.password);
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { code: string; message: string };
    expect(body.code).toBe('RATE_LIMITED');
    expect(body.message).toMatch(/retry in \d+ s/);
    // Other accounts are not affected.
    expect((await signInJson(portal.user.user.email, portal.user.password)).status).toBe(200);
    portal.clock.advance(WINDOW_MS);
    expect((await signInJson(portal.admin.user.email, portal.admin.password)).status).toBe(200);
  });

  it(`allow ${PER_IP_MAX} attempts a minute from one address, whatever the account`, async () => {
    let status = 0;
    let sent = 0;
    // Earlier requests of this file count too; the limit is reached within PER_IP_MAX more.
    while (sent <= PER_IP_MAX) {
      sent++;
      status = (await signInJson(`nobody-${sent}@example.test`, 'wrong')).status;
      if (status === 429) break;
    }
    expect(status).toBe(429);
    const res = await signInJson(portal.user.user.email, portal.user.password);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await res.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });
});
