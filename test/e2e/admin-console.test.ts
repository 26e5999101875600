/**
 * The admin console in headless Chromium against a real portal (issue #3): sign in with password
 * and TOTP through the real sign-in pages, edit and save the policy, watch a device appear in the
 * device list as it enrolls through the RFC 8628 flow, and export the devices as CSV. Along the way
 * every page is opened and photographed (test-artifacts/admin-*.png), and the browser must report
 * no errors — a CSP violation from an inline style or script would show up here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createUserWithPassword, type Created } from '../../cloud/portal/bootstrap.js';
import { DEVICE_CSV_COLUMNS, SessionInfo, TotpSetupResponse } from '../../protocol/portal-admin.js';
import { DeviceTokenResponse } from '../../protocol/portal.js';
import { buildAdminUi } from '../../scripts/build-admin-ui.js';
import { ARTIFACTS_DIR, CHROMIUM_PATH } from '../support/browser.js';
import { authorize, deviceCall, enrollDevice, pollToken } from '../support/portal-device.js';
import { signIn } from '../support/portal-sign-in.js';
import { startTestPortal, type TestPortal } from '../support/portal.js';

const browserMissing = inject('browserMissing');

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1440, height: 960 };

/** A signed-in browser session, driven with fetch: the cookie plus the session's CSRF token. */
async function session(portal: TestPortal, account: Created) {
  const { cookie } = await signIn(portal.url, account);
  const info = SessionInfo.parse(await (await fetch(`${portal.url}/auth/session`, { headers: { cookie } })).json());
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${portal.url}${path}`, {
      method: 'POST',
      headers: { cookie, origin: portal.url, 'x-csrf-token': info.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  const postForm = (path: string, fields: Record<string, string>) =>
    fetch(`${portal.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: portal.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, _csrf: info.csrfToken }),
    });
  return { cookie, post, postForm };
}

function totpCode(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
}

/** A fleet worth charting: several people, platforms, OS versions, models and app versions. */
async function seedFleet(portal: TestPortal): Promise<DeviceTokenResponse[]> {
  const { store } = portal.ctx;
  const org = portal.ctx.org.id;
  const people = [portal.user.user.email];
  for (const [email, name] of [
    ['grace@example.test', 'Grace Hopper'],
    ['linus@example.test', 'Linus Torvalds'],
    ['margaret@example.test', 'Margaret Hamilton'],
    ['ken@example.test', 'Ken Thompson'],
  ] as const) {
    people.push((await createUserWithPassword(store, org, { email, name, role: 'user' }, portal.clock.now)).user.email);
  }
  const fleet = [
    { who: 0, os: 'macos', osVersion: '14.5', model: 'MacBookPro18,3', appVersion: '1.4.0', hostname: 'uma-mbp' },
    { who: 1, os: 'macos', osVersion: '15.1', model: 'MacBookAir10,1', appVersion: '1.4.0', hostname: 'grace-air' },
    { who: 1, os: 'windows', osVersion: '11 23H2', model: 'ThinkPad X1 Carbon Gen 11', appVersion: '1.3.2', hostname: 'GRACE-X1' },
    { who: 2, os: 'linux', osVersion: '6.8', model: 'Framework Laptop 13', appVersion: '1.4.0', hostname: 'linus-fw' },
    { who: 2, os: 'linux', osVersion: '6.1', model: 'Dell XPS 13 9340', appVersion: '1.2.9', hostname: 'build-box' },
    { who: 3, os: 'windows', osVersion: '11 24H2', model: 'Surface Laptop 6', appVersion: '1.4.0', hostname: 'MH-SURFACE' },
    { who: 3, os: 'chromeos', osVersion: '126', model: 'Chromebook Plus', appVersion: '1.4.0', hostname: 'mh-chromebook' },
  ] as const;
  const enrolled: DeviceTokenResponse[] = [];
  for (const [i, d] of fleet.entries()) {
    const device = await enrollDevice(portal, people[d.who], d.os);
    await store.updateDevice(device.device_id, { name: `${d.hostname}` });
    const fingerprint = { os: d.os, osVersion: d.osVersion, model: d.model, appVersion: d.appVersion, hostname: d.hostname };
    // One device is quiet for two days, to give the dashboard something to flag.
    if (i === 4) portal.clock.advance(-48 * 3_600_000);
    const beat = await deviceCall(portal, device.device_credential, 'POST', 'heartbeat', { fingerprint: { ...fingerprint, serial: `SN-${1000 + i}`, networkType: 'off-trusted', edge: 'local' }, policyVersion: 1 });
    if (i === 4) portal.clock.advance(48 * 3_600_000);
    expect(beat.status).toBe(200);
    enrolled.push(device);
  }
  return enrolled;
}

describe.skipIf(browserMissing !== null)('admin console in headless Chromium', () => {
  let portal: TestPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let fleet: DeviceTokenResponse[];
  const browserErrors: string[] = [];

  const shoot = (name: string) => page.screenshot({ path: join(ARTIFACTS_DIR, `admin-${name}.png`), fullPage: true });
  const openFromSidebar = async (label: string, heading: string) => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  beforeAll(async () => {
    // The portal reads the bundle once at start: build it first, so the test runs this tree's console.
    await buildAdminUi();
    portal = await startTestPortal();
    fleet = await seedFleet(portal);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS });
    context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, colorScheme: 'light' });
    page = await context.newPage();
    // Everything here is local and small: a step that takes longer than this is a failure, not a wait.
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => browserErrors.push(`pageerror: ${err.message}`));
    // Errors of the console's own pages; the expected 401 of GET /auth/session before sign-in aside.
    page.on('console', (msg) => {
      if (msg.type() !== 'error' || !new URL(page.url()).pathname.startsWith('/admin')) return;
      if (msg.text().includes('status of 401')) return;
      browserErrors.push(`console on ${page.url()}: ${msg.text()}`);
    });
  });

  // The portal's clock stands still unless moved: a second per step keeps the audit log in order.
  beforeEach(() => portal.clock.advance(1000));

  afterAll(async () => {
    await browser?.close();
    await portal?.close();
  });

  it('signs in with password and TOTP through the real sign-in pages and lands on the dashboard', async () => {
    // Turn TOTP on for the admin the way the account page does: setup, then confirm with a code.
    const admin = await session(portal, portal.admin);
    const { secret } = TotpSetupResponse.parse(await (await admin.post('/auth/totp/setup', {})).json());
    await admin.post('/auth/totp/confirm', { secret, code: totpCode(secret, portal.clock.now) });
    // A code is good once: move to the next 30-second step for the sign-in.
    portal.clock.advance(30_000);

    await page.goto(`${portal.url}/admin`);
    await page.waitForURL(/\/auth\/sign-in\?return_to=%2Fadmin/);
    await page.getByLabel('Email').fill(portal.admin.user.email);
    await page.getByLabel('Password').fill(portal.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await page.getByLabel('Code').fill(totpCode(secret, portal.clock.now));
    await page.getByRole('button', { name: 'Verify' }).click();

    await page.waitForURL(`${portal.url}/admin`);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await expect.poll(() => page.getByTestId('kpi-devices').textContent()).toContain(String(fleet.length));
    await expect(page.getByRole('img', { name: /^Devices by platform: .*macOS 2 devices/ }).count()).resolves.toBe(1);
    await shoot('dashboard');
  });

  it('lists problems by path when a policy edit is invalid, and saves a valid one as a new version', async () => {
    await openFromSidebar('Policy', 'Policy');
    const editor = page.getByTestId('policy-editor');
    const original = await editor.inputValue();
    expect(original).toContain('"configPollSeconds": 900');

    await editor.fill(original.replace('"pauseMinutes": 10', '"pauseMinutes": 0').replace('"allowUserProxy": false', '"allowUserProxy": false,\n      "colour": "blue"'));
    await page.getByRole('button', { name: 'Validate' }).click();
    const issues = page.getByTestId('policy-issues');
    await expect.poll(() => issues.textContent()).toContain('forwardingProfiles[0].captivePortal.pauseMinutes');
    expect(await issues.textContent()).toContain('forwardingProfiles[0].colour');
    await shoot('policy-errors');

    await editor.fill(original.replace('"configPollSeconds": 900', '"configPollSeconds": 600'));
    await page.getByPlaceholder('What changed').fill('Poll for config every 10 minutes');
    await page.getByTestId('save-policy').click();
    await expect.poll(() => page.getByTestId('policy-outcome').textContent()).toContain('Saved as version 2');
    const history = page.getByTestId('policy-history');
    await expect.poll(() => history.locator('li').first().textContent()).toContain('v2');
    expect(await history.locator('li').first().textContent()).toContain('Poll for config every 10 minutes');

    const stored = await portal.ctx.store.currentPolicy(portal.ctx.org.id);
    expect(stored?.version).toBe(2);
    expect(JSON.stringify(stored?.document)).toContain('"configPollSeconds":600');
    await shoot('policy');
  });

  it('simulates what the policy does for a person, device and URL', async () => {
    await openFromSidebar('Simulator', 'Policy simulator');
    await page.getByLabel('User email').fill(portal.user.user.email);
    await page.getByLabel('URL').fill('https://news.example.com/today');
    await page.getByRole('button', { name: 'Simulate' }).click();
    const result = page.getByTestId('simulation-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Everyone');
    expect(await result.textContent()).toContain('Proxy via PAC');
    expect(await page.getByTestId('simulation-reasons').locator('li').count()).toBeGreaterThan(0);
    await shoot('simulator');
  });

  it('shows a device in the list as soon as it enrolls through the device flow, without a reload', async () => {
    await openFromSidebar('Devices', 'Devices');
    await expect.poll(() => page.getByTestId('device-row').count()).toBe(fleet.length);
    await shoot('devices');

    // RFC 8628: the device asks for a code, its user approves it signed in, the device gets its credential.
    const started = await authorize(portal, { device_name: 'Uma’s new laptop', os: 'linux', os_version: 'Ubuntu 24.04' });
    const uma = await session(portal, portal.user);
    const approval = await uma.postForm('/device/approve', { user_code: started.user_code });
    expect(approval.status).toBe(200);
    const token = await pollToken(portal, started.device_code);
    expect(token.status).toBe(200);
    const device = DeviceTokenResponse.parse(token.json);

    const row = page.getByTestId('device-row').filter({ hasText: 'Uma’s new laptop' });
    await row.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('device-row').count()).toBe(fleet.length + 1);

    await row.getByRole('link', { name: 'Uma’s new laptop' }).click();
    await page.getByRole('heading', { level: 1, name: 'Uma’s new laptop' }).waitFor();
    expect(await page.getByTestId('device-facts').textContent()).toContain(device.device_id);
    await page.getByRole('button', { name: 'Disable code' }).click();
    await expect.poll(() => page.getByTestId('one-time-code').textContent()).toMatch(/\S{6,}/);
    await shoot('device');
  });

  it('exports the devices as CSV', async () => {
    await openFromSidebar('Devices', 'Devices');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header).toBe(DEVICE_CSV_COLUMNS.join(','));
    expect(rows).toHaveLength(fleet.length + 1);
    expect(csv).toContain('Uma’s new laptop');
    expect(csv).toContain('grace@example.test');
  });

  it('revokes a device after asking once more', async () => {
    await page.getByTestId('device-row').filter({ hasText: 'build-box' }).getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'build-box' }).waitFor();
    await page.getByRole('button', { name: 'Revoke device' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke build-box?' });
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('notice-success').filter({ hasText: 'build-box is revoked' }).waitFor();
    await page.getByRole('button', { name: 'Revoked' }).waitFor();
    const stored = (await portal.ctx.store.listDevices(portal.ctx.org.id)).find((d) => d.name === 'build-box');
    expect(stored?.revokedAt).not.toBeNull();
  });

  it('manages users, enrollment tokens and tickets, each change confirmed on screen', async () => {
    await openFromSidebar('Users & groups', 'Users & groups');
    await page.getByPlaceholder('New group name').fill('engineering');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect.poll(() => page.getByTestId('group-table').textContent()).toContain('engineering');
    const form = page.getByRole('region', { name: 'Add a user' });
    await form.getByLabel('Email').fill('new.hire@example.test');
    await form.getByLabel('Name').fill('New Hire');
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.getByTestId('new-user-password').textContent()).toMatch(/\S{8,}/);
    await page.getByTestId('notice-success').filter({ hasText: 'Added new.hire@example.test' }).waitFor();
    await shoot('users');

    await openFromSidebar('Enrollment tokens', 'Enrollment tokens');
    await page.getByLabel('Label').fill('Managed Chromebooks');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => page.getByTestId('new-token').textContent()).toMatch(/\S{20,}/);
    await shoot('enrollment');

    const reporter = fleet[1];
    if (!reporter) throw new Error('the fleet has devices');
    const bundle = Buffer.from('waygate diagnostics\nlog: edge unreachable for 30 s\n').toString('base64');
    const ticket = await deviceCall(portal, reporter.device_credential, 'POST', 'support', { subject: 'Cannot reach the intranet from home', message: 'Since this morning the wiki times out.\nRestarting did not help.', bundle });
    expect(ticket.status).toBe(201);
    await openFromSidebar('Support tickets', 'Support tickets');
    await page.getByTestId('ticket-table').waitFor();
    await shoot('tickets');
    await page.getByRole('link', { name: 'Cannot reach the intranet from home' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cannot reach the intranet from home' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /^Download \(/ }).click()]);
    expect(await readFile(await download.path(), 'utf8')).toContain('edge unreachable');
    await shoot('ticket');
  });

  it('shows the audit log newest first', async () => {
    await openFromSidebar('Audit log', 'Audit log');
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    const actions = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions).toContain('policy.save');
    expect(actions.indexOf('policy.save')).toBeGreaterThan(actions.indexOf('support.ticket.create'));
    await shoot('audit');
  });

  it('works from the keyboard: a skip link, the sidebar in order, visible focus, focus on the new page', async () => {
    await page.goto(`${portal.url}/admin/devices`);
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Dashboard');
    for (let i = 0; i < 2; i += 1) await page.keyboard.press('Tab');
    expect(await focused()).toBe('Policy');
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'admin-keyboard-focus.png'), clip: { x: 0, y: 0, width: 480, height: 360 } });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Policy' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('page-title');
  });

  it('looks right in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await openFromSidebar('Dashboard', 'Dashboard');
    // The fleet plus the device that enrolled, less the one revoked.
    await expect.poll(() => page.getByTestId('kpi-devices').textContent()).toContain(`Devices enrolled${fleet.length}1 revoked device`);
    await shoot('dashboard-dark');
    await openFromSidebar('Policy', 'Policy');
    await page.getByTestId('policy-history').waitFor();
    await shoot('policy-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('tells a signed-in non-admin that the console is for admins', async () => {
    const other = await browser.newContext({ viewport: VIEWPORT });
    const uma = await session(portal, portal.user);
    const [name, value] = uma.cookie.split('=');
    await other.addCookies([{ name: name ?? '', value: value ?? '', url: portal.url }]);
    const userPage = await other.newPage();
    await userPage.goto(`${portal.url}/admin/devices`);
    await userPage.getByTestId('admins-only').waitFor();
    expect(await userPage.getByRole('heading', { level: 1 }).textContent()).toBe('This console is for admins');
    await userPage.screenshot({ path: join(ARTIFACTS_DIR, 'admin-admins-only.png') });
    await other.close();
  });

  it('raised no errors in the browser (CSP violations included)', () => {
    expect(browserErrors).toEqual([]);
  });
});
