/**
 * Browser-only mode end to end: no native host is registered, so the extension enrolls itself with
 * a real portal (RFC 8628, approved on the portal's own verification page in the tab it opened),
 * fetches and verifies the signed config, applies the PAC and answers the real edge's 407 with an
 * edge token — a page on a made-up name loads through the edge with no prompt, also after the
 * short-lived token has expired. Then: turning off needs the profile's password, another extension
 * taking the proxy setting shows as "overridden" until it lets go, and signing out gives the setting back.
 *
 * The browser cannot resolve origin.test (--host-resolver-rules in support/browser.ts); the edge
 * resolves it from its hosts file to the loopback origin, which the policy allows by CIDR.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { browser as extensionApi } from 'wxt/browser';
import {
  extensionSessionStorage,
  extensionStorage,
  launchWithExtension,
  openCompetitor,
  openPopup,
  proxySettings,
  screenshot,
  runningWorkers,
  stopExtensionWorker,
  toolbarBadge,
  writeProxyCompetitor,
  type ExtensionBrowser,
} from '../support/browser.js';
import { browse, browseUntil } from '../support/device-browser.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../support/protected-system.js';
import { tempDir } from '../support/waygate-process.js';
import { hashPassword } from '../../cloud/portal/crypto/passwords.js';

// Functions passed to `evaluate()` run in extension contexts, where `chrome` exists.
declare const chrome: typeof extensionApi;

const browserMissing = inject('browserMissing');
const TOKEN_TTL_SECONDS = 12;

function protection(popup: Page, state: string, timeout = 15_000) {
  return popup.waitForSelector(`[data-testid="protection-state"][data-mode="browser-only"][data-state="${state}"]`, { timeout });
}

describe.skipIf(browserMissing !== null)('browser-only mode: enrollment, policy and proxy auth in headless Chromium', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let system: ProtectedSystem;
  let browser: ExtensionBrowser;
  let competitor: Page;
  let popup: Page;
  let deviceId: string;

  beforeAll(async () => {
    tmp = await tempDir('e2e-browser-only');
    system = await startProtectedSystem({
      dir: join(tmp.dir, 'system'),
      portal: { edgeTokenTtlSeconds: TOKEN_TTL_SECONDS },
      appProfile: { passwords: { logout: null, disable: await hashPassword('turn-off-pass'), uninstall: null }, disableMinutes: 5 },
    });
    const other = await writeProxyCompetitor(join(tmp.dir, 'competitor'));
    browser = await launchWithExtension(join(tmp.dir, 'profile'), { extraExtensions: [other] });
    competitor = await openCompetitor(browser.context);
    popup = await openPopup(browser.context);
    await popup.setViewportSize({ width: 360, height: 760 });
  });

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await tmp?.cleanup();
  });

  it('says it runs in browser-only mode, signed out, and what the app would add', async () => {
    await protection(popup, 'signed-out');
    expect(await popup.getByTestId('mode-note').textContent()).toContain('system proxy');
    expect(await popup.getByTestId('explain-needs-app').textContent()).toContain('Waygate app');
    expect(await popup.getByTestId('explain-url').count()).toBe(0);
    expect(await popup.getByTestId('portal-url').inputValue()).toBe('http://127.0.0.1:8400');
    expect((await proxySettings(browser.worker)).levelOfControl).toBe('controllable_by_this_extension');
    expect(await toolbarBadge(browser.worker)).toMatchObject({ text: '!' });
    await screenshot(popup, 'browser-only-signed-out');
  });

  it('cancels a waiting sign-in and offers the form again', async () => {
    await popup.getByTestId('portal-url').fill(system.portal.url);
    const tabOpened = browser.context.waitForEvent('page', { timeout: 15_000 });
    await popup.getByTestId('sign-in').click();
    const tab = await tabOpened;
    await popup.getByTestId('cancel-sign-in').click();
    await popup.waitForSelector('[data-testid="sign-in"]');
    expect(await popup.getByTestId('login-user-code').count()).toBe(0);
    await tab.close();
  });

  it('signs in through the portal page it opens, and shows protected', async () => {
    await popup.getByTestId('portal-url').fill(system.portal.url);
    // Listen before clicking: the worker opens the verification tab as soon as the portal answers.
    const tabOpened = browser.context.waitForEvent('page', { timeout: 15_000 });
    await popup.getByTestId('sign-in').click();
    const tab = await tabOpened;
    await popup.waitForSelector('[data-testid="login-user-code"]');
    const userCode = (await popup.getByTestId('login-user-code').textContent())?.trim() ?? '';
    await screenshot(popup, 'browser-only-login-waiting');

    await tab.waitForURL(/\/auth\/sign-in/);
    await tab.fill('#email', 'user@example.test');
    await tab.fill('#password', system.portal.user.password);
    await Promise.all([tab.waitForURL(/\/device\?user_code=/), tab.click('button[type="submit"]')]);
    expect(await tab.locator('body').textContent()).toContain(userCode);
    await Promise.all([tab.waitForResponse((res) => res.url().includes('/device/approve')), tab.getByRole('button', { name: 'Approve' }).click()]);
    await screenshot(tab, 'browser-only-portal-approved');
    await tab.close();

    await protection(popup, 'protected', 30_000);
    expect(await popup.getByTestId('fact-user').textContent()).toContain('user@example.test');
    expect(await popup.getByTestId('fact-org').textContent()).toBe('Test Org');
    expect(await popup.getByTestId('fact-mode').textContent()).toBe('Browser only');
    expect(await popup.getByTestId('fact-network').textContent()).toBe('Outside the trusted network');
    expect(await popup.getByTestId('fact-edge').textContent()).toContain('test-edge');
    await screenshot(popup, 'browser-only-protected');

    const applied = await proxySettings(browser.worker);
    expect(applied.levelOfControl).toBe('controlled_by_this_extension');
    expect(applied.value).toMatchObject({ mode: 'pac_script', pacScript: { mandatory: true } });
    await expect.poll(() => toolbarBadge(browser.worker)).toMatchObject({ text: '' });
    expect((await toolbarBadge(browser.worker)).title).toContain('Protected');
    const devices = await system.portal.ctx.store.listDevices(system.portal.ctx.org.id);
    deviceId = devices.find((device) => device.userId === system.portal.user.user.id)!.id;
  });

  it('loads a page through the edge, answering its 407 without a prompt, as this device and user', async () => {
    const page = await browser.context.newPage();
    let dialog = false;
    page.on('dialog', () => (dialog = true));
    const response = await page.goto(`http://origin.test:${system.originPort}/through-the-edge`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('body').textContent()).toContain(ORIGIN_BODY);
    expect(dialog).toBe(false);
    await screenshot(page, 'browser-only-origin-through-edge');
    await page.close();
    expect(system.originSeen).toContain(`origin.test:${system.originPort}/through-the-edge`);
    await expect
      .poll(async () => (await system.edge.accessLog()).find((entry) => entry.host === 'origin.test' && entry.status === 200), { timeout: 5_000 })
      .toMatchObject({ device: deviceId, user: 'user@example.test', action: 'allow' });
  });

  it('keeps the edge token in memory only (session storage), never in local storage', async () => {
    const session = await extensionSessionStorage(browser.worker);
    const token = (session.edgeCredentials as { token: string } | null)?.token;
    expect(token).toMatch(/^ey/);
    expect(JSON.stringify(await extensionStorage(browser.worker))).not.toContain(token);
  });

  it('keeps every request working past the edge token’s expiry, with no prompt', async () => {
    const first = (await extensionSessionStorage(browser.worker)).edgeCredentials as { token: string; expiresAt: string };
    const deadline = Date.parse(first.expiresAt) + 3_000;
    const run = await browseUntil(browser.context, `http://origin.test:${system.originPort}`, deadline, ORIGIN_BODY);
    expect(run.count).toBeGreaterThan(3);
    expect(run.failed).toEqual([]);
    const later = (await extensionSessionStorage(browser.worker)).edgeCredentials as { token: string };
    expect(later.token).not.toBe(first.token);
    const afterExpiry = (await system.edge.accessLog()).filter((entry) => entry.host === 'origin.test' && Date.parse(String(entry.time)) > Date.parse(first.expiresAt));
    expect(afterExpiry.some((entry) => entry.status === 200)).toBe(true);
  });

  it('refuses to turn off without the profile password, turns off with it, and back on', async () => {
    await popup.getByTestId('turn-off').click();
    await popup.waitForSelector('[data-testid="action-error"][data-code="PASSWORD_REQUIRED"]');
    await popup.getByTestId('unlock-password').fill('wrong');
    await popup.getByTestId('turn-off').click();
    await popup.waitForSelector('[data-testid="action-error"][data-code="PASSWORD_WRONG"]');
    await screenshot(popup, 'browser-only-password-wrong');
    await popup.getByTestId('unlock-password').fill('turn-off-pass');
    await popup.getByTestId('turn-off').click();
    await protection(popup, 'disabled');
    expect((await proxySettings(browser.worker)).levelOfControl).toBe('controllable_by_this_extension');
    const alarm = await browser.worker.evaluate(() => chrome.alarms.get('bo-enable'));
    expect(alarm?.scheduledTime).toBeGreaterThan(Date.now() + 4 * 60_000);
    await expect.poll(() => toolbarBadge(browser.worker)).toMatchObject({ text: 'off' });
    await popup.getByTestId('turn-on').click();
    await protection(popup, 'protected');
    expect((await proxySettings(browser.worker)).levelOfControl).toBe('controlled_by_this_extension');
  });

  it('says "overridden" while another extension holds the proxy setting, and recovers when it lets go', async () => {
    await competitor.evaluate(() => chrome.proxy.settings.set({ value: { mode: 'direct' }, scope: 'regular' }));
    await protection(popup, 'overridden');
    expect(await popup.getByTestId('protection-overridden').textContent()).toContain('Another extension');
    expect((await proxySettings(browser.worker)).levelOfControl).toBe('controlled_by_other_extensions');
    await expect.poll(() => toolbarBadge(browser.worker)).toMatchObject({ text: '!' });
    await screenshot(popup, 'browser-only-overridden');

    await competitor.evaluate(() => chrome.proxy.settings.clear({ scope: 'regular' }));
    await protection(popup, 'protected');
    expect((await proxySettings(browser.worker)).levelOfControl).toBe('controlled_by_this_extension');
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/after-override`)).toMatchObject({ status: 200 });
  });

  it('resumes from storage after the browser stops its worker (MV3), still protected and signed in', async () => {
    await stopExtensionWorker(browser.context);
    await expect.poll(() => runningWorkers(browser.context)).toEqual([]);
    // The proxy setting outlives the worker; a 407 the browser has no cached answer for wakes it.
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/worker-stopped`)).toMatchObject({ status: 200 });
    // A message from the popup wakes it too; it resumes from storage, not from memory.
    await popup.getByTestId('sync-now').click();
    await protection(popup, 'protected');
    expect(await runningWorkers(browser.context)).toHaveLength(1);
    expect(await popup.getByTestId('action-error').count()).toBe(0);
    expect(await popup.getByTestId('sync-error').count()).toBe(0);
    expect((await proxySettings(popup)).levelOfControl).toBe('controlled_by_this_extension');
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/after-wake`)).toMatchObject({ status: 200 });
  });

  it('syncs on demand, and signs out: credential gone, proxy setting given back', async () => {
    await popup.getByTestId('sync-now').click();
    await protection(popup, 'protected');
    await popup.getByTestId('sign-out').click();
    await protection(popup, 'signed-out');
    expect((await proxySettings(popup)).levelOfControl).toBe('controllable_by_this_extension');
    const stored = await extensionStorage(popup);
    // WXT removes an item set to null.
    expect(stored['bo.enrollment'] ?? null).toBeNull();
    expect((await extensionSessionStorage(popup)).edgeCredentials ?? null).toBeNull();
    await screenshot(popup, 'browser-only-signed-out-again');
  });
});
