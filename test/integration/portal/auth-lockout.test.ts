/** Lockout after five consecutive failures, for fifteen minutes of the portal's clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountLockedDetails } from '../../../protocol/portal-admin.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';

let portal: TestPortal;

beforeAll(async () => {
  portal = await startTestPortal();
});
afterAll(() => portal.close());

async function signInJson(email: string, password: string): Promise<{ status: number; body: { code?: string; message?: string; details?: unknown } }> {
  const res = await fetch(`${portal.url}/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string; details?: unknown } };
}

describe('account lockout', () => {
  it('locks after 5 wrong passwords, refuses even the right one, and opens after 15 minutes', async () => {
    const { email } = portal.user.user;
    for (let i = 1; i <= 4; i++) expect((await signInJson(email, `wrong-${i}`)).body.code).toBe('UNAUTHENTICATED');

    const fifth = await signInJson(email, 'wrong-5');
    expect(fifth.status).toBe(423);
    expect(fifth.body.code).toBe('ACCOUNT_LOCKED');
    const details = AccountLockedDetails.parse(fifth.body.details);
    expect(details.lockedUntil).toBe(portal.clock.now + 15 * 60_000);
    expect(details.retryAfterSeconds).toBe(15 * 60);
    expect(fifth.body.message).toContain(new Date(details.lockedUntil).toISOString());

    const right = await signInJson(email, portal.user.password);
    expect(right.status).toBe(423);

    portal.clock.advance(15 * 60_000 - 1000);
    expect((await signInJson(email, portal.user.password)).status).toBe(423);
    portal.clock.advance(1000);
    expect((await signInJson(email, portal.user.password)).status).toBe(200);

    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 10);
    expect(audit.some((a) => a.action === 'auth.account-locked' && a.target === portal.user.user.id)).toBe(true);
  });

  it('counts consecutive failures only: a success starts the count again', async () => {
    const { email } = portal.admin.user;
    for (let i = 0; i < 4; i++) await signInJson(email, 'wrong');
    expect((await signInJson(email, portal.admin.password)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await signInJson(email, 'wrong')).status).toBe(401);
    expect((await signInJson(email, portal.admin.password)).status).toBe(200);
  });

  it('shows the lock on the HTML form too', async () => {
    const { email } = portal.user.user;
    for (let i = 0; i < 5; i++) await signInJson(email, 'wrong');
    const res = await fetch(`${portal.url}/auth/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password: portal.user.password }),
    });
    expect(res.status).toBe(423);
    expect(await res.text()).toContain('this account is locked until');
    portal.clock.advance(15 * 60_000);
  });

  it('never locks accounts that do not exist (there is nothing to lock)', async () => {
    for (let i = 0; i < 6; i++) expect((await signInJson('ghost@example.test', 'wrong')).status).toBe(401);
  });
});
