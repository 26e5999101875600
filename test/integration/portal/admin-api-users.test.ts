/**
 * Admin API: users and groups, enrollment tokens, support tickets and the audit log — each change
 * checked for its effect (sign-in, enrollment, download) and for its audit entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminEnrollmentToken,
  AdminGroup,
  AdminTicketDetail,
  AdminUser,
  AuditPage,
  CreateEnrollmentTokenResponse,
  CreateUserResponse,
  EnrollmentTokenList,
  GroupList,
  TicketList,
  UserList,
} from '../../../protocol/portal-admin.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { deviceCall, enrollDevice, enrollmentTokenGrant } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';

const API = '/api/v1/admin';

let portal: TestPortal;
let admin: BrowserSession;

beforeAll(async () => {
  portal = await startTestPortal();
  admin = await signIn(portal, portal.admin);
});
afterAll(() => portal.close());

/** The newest audit entry for `action` (the test clock stands still, so several share a millisecond). */
async function audited(action: string): Promise<{ action: string; actorUserId: string | null; target: string; details: unknown }> {
  const entry = (await portal.ctx.store.listAudit(portal.ctx.org.id, 1000)).find((a) => a.action === action);
  if (!entry) throw new Error(`no audit entry ${action}`);
  return entry;
}

describe('users', () => {
  let created: CreateUserResponse;

  it('creates a user with a one-time password that signs in', async () => {
    const res = await admin.json('POST', `${API}/users`, { email: 'Nia@Example.test', name: 'Nia New' });
    expect(res.status).toBe(201);
    created = CreateUserResponse.parse(res.body);
    expect(created.user).toMatchObject({ email: 'nia@example.test', name: 'Nia New', role: 'user', disabled: false, hasPassword: true, devices: 0 });
    expect(created.password.length).toBeGreaterThanOrEqual(16);
    const nia = await signIn(portal, { email: 'nia@example.test', password: created.password });
    expect(nia.user.id).toBe(created.user.id);
        const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 5);
    expect(audit.find((a) => a.action === 'user.create')).toMatchObject({ actorUserId: portal.admin.user.id, target: created.user.id });
    expect(JSON.stringify(audit)).not.toContain(created.password);
  });

  it('refuses a second user with the same email, and a malformed one', async () => {
    const dup = await admin.json<{ code: string }>('POST', `${API}/users`, { email: 'nia@example.test', name: 'Again' });
    expect(dup.status).toBe(409);
    const bad = await admin.json<{ code: string; details: { errors: { path: string }[] } }>('POST', `${API}/users`, { email: 'not-an-email', name: '', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.errors.map((e) => e.path).sort()).toEqual(['email', 'name', 'role']);
  });

  it('lists users with their groups and device counts', async () => {
    await enrollDevice(portal, 'nia@example.test');
    const { users } = UserList.parse((await admin.json('GET', `${API}/users`)).body);
    expect(users.map((u) => u.email)).toEqual(['admin@example.test', 'nia@example.test', 'user@example.test']);
    expect(users.find((u) => u.email === 'nia@example.test')?.devices).toBe(1);
  });

  it('changes role and name; disabling signs the user out everywhere', async () => {
    const nia = await signIn(portal, { email: 'nia@example.test', password: created.password });
    const promoted = await admin.json('PATCH', `${API}/users/${created.user.id}`, { role: 'admin', name: 'Nia Admin' });
    expect(AdminUser.parse(promoted.body)).toMatchObject({ role: 'admin', name: 'Nia Admin' });
    expect((await nia.fetch(`${API}/users`)).status).toBe(200);
    expect(await audited('user.update')).toMatchObject({ details: { role: 'admin', name: 'Nia Admin' } });

    const disabled = await admin.json('PATCH', `${API}/users/${created.user.id}`, { disabled: true });
    expect(AdminUser.parse(disabled.body).disabled).toBe(true);
    expect((await nia.fetch('/auth/session')).status).toBe(401);
    const again = await fetch(`${portal.url}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nia@example.test', password: created.password }),
    });
    expect(again.status).toBe(403);

    const empty = await admin.json('PATCH', `${API}/users/${created.user.id}`, {});
    expect(empty.status).toBe(400);
  });

  it('keeps the org from locking itself out', async () => {
    const self = await admin.json<{ code: string; message: string }>('PATCH', `${API}/users/${portal.admin.user.id}`, { role: 'user' });
    expect(self.status).toBe(409);
    expect(self.body.message).toContain('your own account');
    expect((await admin.json('DELETE', `${API}/users/${portal.admin.user.id}`)).status).toBe(409);

    // Another admin may demote this one (and back).
    await admin.json('PATCH', `${API}/users/${created.user.id}`, { disabled: false });
    const nia = await signIn(portal, { email: 'nia@example.test', password: created.password });
    expect((await nia.json('PATCH', `${API}/users/${portal.admin.user.id}`, { role: 'user' })).status).toBe(200);
    expect((await admin.fetch(`${API}/users`)).status).toBe(403);
    expect((await nia.json('PATCH', `${API}/users/${portal.admin.user.id}`, { role: 'admin' })).status).toBe(200);
  });

  it('deletes a user, with their devices', async () => {
    const res = await admin.fetch(`${API}/users/${created.user.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await portal.ctx.store.getUser(created.user.id)).toBeNull();
    expect((await portal.ctx.store.listDevices(portal.ctx.org.id)).some((d) => d.userId === created.user.id)).toBe(false);
    expect(await audited('user.delete')).toMatchObject({ target: created.user.id, details: { email: 'nia@example.test', devices: 1 } });
    expect((await admin.json('DELETE', `${API}/users/${created.user.id}`)).status).toBe(404);
  });
});

describe('groups', () => {
  it('creates local groups, assigns them, counts members, deletes them', async () => {
    const eng = AdminGroup.parse((await admin.json('POST', `${API}/groups`, { name: 'engineering' })).body);
    expect(eng).toMatchObject({ name: 'engineering', source: 'local', members: 0 });
    expect((await admin.json('POST', `${API}/groups`, { name: 'engineering' })).status).toBe(409);

    const set = await admin.json('PUT', `${API}/users/${portal.user.user.id}/groups`, { groupIds: [eng.id] });
    expect(AdminUser.parse(set.body).groups).toEqual([{ id: eng.id, name: 'engineering', source: 'local' }]);
    expect(await audited('user.groups.set')).toMatchObject({ details: { groups: ['engineering'] } });
    const { groups } = GroupList.parse((await admin.json('GET', `${API}/groups`)).body);
    expect(groups.find((g) => g.id === eng.id)?.members).toBe(1);

    expect((await admin.json('PUT', `${API}/users/${portal.user.user.id}/groups`, { groupIds: ['missing'] })).status).toBe(400);

    expect((await admin.fetch(`${API}/groups/${eng.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await portal.ctx.store.groupsOfUser(portal.user.user.id)).toEqual([]);
    expect(await audited('group.delete')).toMatchObject({ target: eng.id });
  });

  it('leaves groups from single sign-on to the identity provider', async () => {
    await portal.ctx.store.createGroup({ id: 'sso-ops', orgId: portal.ctx.org.id, name: 'ops', source: 'oidc' });
    const assign = await admin.json<{ code: string }>('PUT', `${API}/users/${portal.user.user.id}/groups`, { groupIds: ['sso-ops'] });
    expect(assign.status).toBe(409);
    expect((await admin.fetch(`${API}/groups/sso-ops`, { method: 'DELETE' })).status).toBe(409);
  });
});

describe('enrollment tokens', () => {
  it('creates a token shown once that enrolls a device, lists it, and revokes it', async () => {
    const res = await admin.json('POST', `${API}/enrollment-tokens`, { label: 'Chromebooks', expiresInDays: 30 });
    expect(res.status).toBe(201);
    const { enrollmentToken, token } = CreateEnrollmentTokenResponse.parse(res.body);
    expect(token).toMatch(/^wge_[A-Za-z0-9_-]{43}$/);
    expect(enrollmentToken).toMatchObject({ label: 'Chromebooks', status: 'active', expiresAt: portal.clock.now + 30 * 86_400_000 });
    expect(JSON.stringify(await portal.ctx.store.listEnrollmentTokens(portal.ctx.org.id))).not.toContain(token);

    expect((await enrollmentTokenGrant(portal, token, 'user@example.test')).status).toBe(200);
    const { tokens } = EnrollmentTokenList.parse((await admin.json('GET', `${API}/enrollment-tokens`)).body);
    expect(tokens.map((t) => t.id)).toContain(enrollmentToken.id);

    const revoked = AdminEnrollmentToken.parse((await admin.json('POST', `${API}/enrollment-tokens/${enrollmentToken.id}/revoke`, {})).body);
    expect(revoked.status).toBe('revoked');
    expect((await enrollmentTokenGrant(portal, token, 'user@example.test')).status).toBe(400);
    expect(await audited('enrollment-token.revoke')).toMatchObject({ target: enrollmentToken.id, actorUserId: portal.admin.user.id });
  });
});

describe('support tickets', () => {
  it('lists, shows, serves the bundle, and closes', async () => {
    const device = await enrollDevice(portal, 'user@example.test');
    const bundle = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]);
    const sent = await deviceCall(portal, device.device_credential, 'POST', 'support', { subject: 'Cannot reach <intranet>', message: 'Since Monday.', bundle: bundle.toString('base64') });
    expect(sent.status).toBeLessThan(300);
    const { ticketId } = sent.json as { ticketId: string };

    const { tickets } = TicketList.parse((await admin.json('GET', `${API}/tickets`)).body);
    expect(tickets[0]).toMatchObject({ id: ticketId, subject: 'Cannot reach <intranet>', status: 'open', user: { email: 'user@example.test' } });

    const detail = AdminTicketDetail.parse((await admin.json('GET', `${API}/tickets/${ticketId}`)).body);
    expect(detail.message).toBe('Since Monday.');
    expect(detail.bundle).toEqual({ bytes: bundle.length, url: `${API}/tickets/${ticketId}/bundle` });

    const download = await admin.fetch(detail.bundle?.url ?? '');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="waygate-support-${ticketId}.tar.gz"`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bundle);

    const closed = AdminTicketDetail.parse((await admin.json('POST', `${API}/tickets/${ticketId}/close`)).body);
    expect(closed.status).toBe('closed');
    expect(await audited('ticket.close')).toMatchObject({ target: ticketId });
  });
});

describe('the audit log', () => {
  it('lists newest first and names the actor', async () => {
    portal.clock.advance(1);
    await admin.json('POST', `${API}/groups`, { name: 'newest' });
    const page = AuditPage.parse((await admin.json('GET', `${API}/audit?limit=3`)).body);
    expect(page.entries[0]).toMatchObject({ action: 'group.create', actor: { id: portal.admin.user.id, email: 'admin@example.test' }, actorId: portal.admin.user.id });
    const ats = page.entries.map((e) => e.at);
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    expect(page.nextBefore).not.toBeNull();
  });

  it('pages without gaps or repeats, also where entries share a millisecond', async () => {
    portal.clock.advance(1000);
    const since = portal.clock.now;
    // Creation times: +1, +2, +3, +3, +4, +5 — the two at +3 straddle the first page boundary.
    const names: string[] = [];
    for (const step of [1, 1, 1, 0, 1, 1]) {
      portal.clock.advance(step);
      const name = `audit-${names.length + 1}`;
      names.push(name);
      expect((await admin.json('POST', `${API}/groups`, { name })).status).toBe(201);
    }
    const collected: string[] = [];
    let before: number | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const query: string = before === null ? 'limit=3' : `limit=3&before=${before}`;
      const page = AuditPage.parse((await admin.json('GET', `${API}/audit?${query}`)).body);
      const recent = page.entries.filter((e) => e.at > since);
      collected.push(...recent.map((e) => (e.details as { name: string }).name));
      if (recent.length < page.entries.length || page.nextBefore === null) break;
      before = page.nextBefore;
    }
    expect(collected).toHaveLength(6);
    expect(new Set(collected).size).toBe(6);
    expect(collected.slice(0, 2)).toEqual(['audit-6', 'audit-5']);
    expect(collected.slice(2, 4).sort()).toEqual(['audit-3', 'audit-4']);
    expect(collected.slice(4)).toEqual(['audit-2', 'audit-1']);
  });

  it('refuses a bad page size', async () => {
    expect((await admin.json('GET', `${API}/audit?limit=0`)).status).toBe(400);
    expect((await admin.json('GET', `${API}/audit?limit=abc`)).status).toBe(400);
  });
});
