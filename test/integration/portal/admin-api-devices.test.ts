/**
 * Admin API over devices enrolled through the real device API: list and detail, dashboard, CSV
 * export, one-time codes, revoke and remove.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminDevice, Dashboard, DeviceList, OneTimeCodeResponse } from '../../../protocol/portal-admin.js';
import type { DeviceTokenResponse } from '../../../protocol/portal.js';
import { startTestPortal, type TestPortal } from '../../support/portal.js';
import { deviceCall, enrollDevice } from '../../support/portal-device.js';
import { signIn, type BrowserSession } from '../../support/portal-sign-in.js';

const API = '/api/v1/admin';

let portal: TestPortal;
let admin: BrowserSession;
let laptop: DeviceTokenResponse;
let chromebook: DeviceTokenResponse;

beforeAll(async () => {
  portal = await startTestPortal();
  admin = await signIn(portal, portal.admin);
  laptop = await enrollDevice(portal, portal.user.user.email, 'linux');
  chromebook = await enrollDevice(portal, portal.admin.user.email, 'chromeos');
  const beat = await deviceCall(portal, laptop.device_credential, 'POST', 'heartbeat', {
    fingerprint: { os: 'linux', osVersion: '6.8', model: 'ThinkPad X1', hostname: 'uma-x1', serial: 'SN-1', appVersion: '1.2.0', networkType: 'off-trusted' },
    policyVersion: 1,
  });
  expect(beat.status).toBe(200);
  await deviceCall(portal, chromebook.device_credential, 'POST', 'heartbeat', { fingerprint: { os: 'chromeos', appVersion: '1.1.9' }, policyVersion: null });
  // Names people type, with everything CSV must quote or defuse.
  await portal.ctx.store.updateDevice(laptop.device_id, { name: 'Uma\'s "work", laptop' });
  await portal.ctx.store.updateDevice(chromebook.device_id, { name: '=HYPERLINK("http://evil.example")' });
});
afterAll(() => portal.close());

describe('devices', () => {
  it('lists every device with its user, fingerprint, policy status and last heartbeat', async () => {
    const { status, body } = await admin.json('GET', `${API}/devices`);
    expect(status).toBe(200);
    const { devices } = DeviceList.parse(body);
    const uma = devices.find((d) => d.id === laptop.device_id);
    expect(uma).toMatchObject({
      name: 'Uma\'s "work", laptop',
      user: { id: portal.user.user.id, email: 'user@example.test', name: 'Uma User' },
      fingerprint: { os: 'linux', osVersion: '6.8', model: 'ThinkPad X1', serial: 'SN-1', appVersion: '1.2.0' },
      policyVersion: 1,
      policyStatus: 'updated',
      lastSeenAt: portal.clock.now,
      revokedAt: null,
    });
    expect(devices.find((d) => d.id === chromebook.device_id)?.policyStatus).toBe('unknown');
  });

  it('shows one device, and 404 for an unknown one', async () => {
    const one = await admin.json('GET', `${API}/devices/${laptop.device_id}`);
    expect(AdminDevice.parse(one.body).id).toBe(laptop.device_id);
    const missing = await admin.json<{ code: string }>('GET', `${API}/devices/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it('sums them up on the dashboard', async () => {
    const dashboard = Dashboard.parse((await admin.json('GET', `${API}/dashboard`)).body);
    expect(dashboard.devices).toEqual({ enrolled: 2, revoked: 0 });
    expect(dashboard.seats).toEqual({ used: 2, total: 2 });
    expect(dashboard.byOs).toEqual([
      { key: 'chromeos', count: 1 },
      { key: 'linux', count: 1 },
    ]);
    expect(dashboard.appVersions).toMatchObject({ newest: '1.2.0', current: 1, outdated: 1 });
    expect(dashboard.policy).toEqual({ currentVersion: 1, updated: 1, outdated: 0, unknown: 1 });
    expect(dashboard.heartbeats).toMatchObject({ lastHour: 2, never: 0 });
  });

  it('exports CSV with proper quoting, as an attachment', async () => {
    const res = await admin.fetch(`${API}/devices.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const day = new Date(portal.clock.now).toISOString().slice(0, 10);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="waygate-devices-${day}.csv"`);
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'id,name,user_email,user_name,os,os_version,model,hostname,serial,app_version,network_type,edge,state,policy_version,policy_status,enrolled_at,last_seen_at,revoked_at',
    );
    expect(text.endsWith('\r\n')).toBe(true);
    const iso = new Date(portal.clock.now).toISOString();
    expect(lines).toContain(
      `${laptop.device_id},"Uma's ""work"", laptop",user@example.test,Uma User,linux,6.8,ThinkPad X1,uma-x1,SN-1,1.2.0,off-trusted,,,1,updated,${iso},${iso},`,
    );
    expect(lines.find((l) => l.startsWith(chromebook.device_id))).toContain(`,"'=HYPERLINK(""http://evil.example"")",`);
  });

  it('issues a one-time code once; the device can use it once; the audit log never holds it', async () => {
    const issued = await admin.json('POST', `${API}/devices/${laptop.device_id}/one-time-codes`, { kind: 'disable' });
    expect(issued.status).toBe(200);
    const { code, expiresAt } = OneTimeCodeResponse.parse(issued.body);
    expect(code).toMatch(/^\d{8}$/);
    expect(expiresAt).toBe(portal.clock.now + 15 * 60_000);
    const check = (c: string) => deviceCall(portal, laptop.device_credential, 'POST', 'verify-code', { kind: 'disable', code: c });
    expect((await check(code)).json).toEqual({ valid: true });
    expect((await check(code)).json).toEqual({ valid: false });
    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    const entry = audit.find((a) => a.action === 'device.one-time-code.issue');
    expect(entry?.actorUserId).toBe(portal.admin.user.id);
    expect(JSON.stringify(audit)).not.toContain(code);

    const bad = await admin.json<{ code: string }>('POST', `${API}/devices/${laptop.device_id}/one-time-codes`, { kind: 'uninstall' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_REQUEST');
  });

  it('revokes a device: its credential stops working at once, the record stays', async () => {
    expect((await deviceCall(portal, laptop.device_credential, 'GET', 'config')).status).toBe(200);
    const revoked = await admin.json('POST', `${API}/devices/${laptop.device_id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(AdminDevice.parse(revoked.body).revokedAt).toBe(portal.clock.now);
    expect((await deviceCall(portal, laptop.device_credential, 'GET', 'config')).status).toBe(401);
    const again = await admin.json('POST', `${API}/devices/${laptop.device_id}/revoke`, {});
    expect(AdminDevice.parse(again.body).revokedAt).toBe(portal.clock.now);
    const code = await admin.json<{ code: string }>('POST', `${API}/devices/${laptop.device_id}/one-time-codes`, { kind: 'logout' });
    expect(code.status).toBe(409);
    const dashboard = Dashboard.parse((await admin.json('GET', `${API}/dashboard`)).body);
    expect(dashboard.devices).toEqual({ enrolled: 1, revoked: 1 });
    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    expect(audit.find((a) => a.action === 'device.revoke')).toMatchObject({ actorUserId: portal.admin.user.id, target: laptop.device_id });
  });

  it('removes a device', async () => {
    const res = await admin.fetch(`${API}/devices/${laptop.device_id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await admin.json('GET', `${API}/devices/${laptop.device_id}`)).status).toBe(404);
    const audit = await portal.ctx.store.listAudit(portal.ctx.org.id, 100);
    expect(audit.find((a) => a.action === 'device.remove')).toMatchObject({ target: laptop.device_id, actorUserId: portal.admin.user.id });
  });
});
