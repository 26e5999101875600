/**
 * Host mode end to end: headless Chromium with the extension, the native host and a real service,
 * a real portal and a real edge. The user signs in from the popup (the device flow, approved on the
 * portal's own pages in the tab the extension opens); then the browser's traffic goes through the
 * edge under the org's policy with no authentication prompt — and keeps doing so with the portal
 * gone, across a service restart.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { screenshot } from '../support/browser.js';
import { approveInOpenedTab, browse, launchDeviceBrowser, waitForProtection, type DeviceBrowser } from '../support/device-browser.js';
import { startDeviceService, type DeviceService } from '../support/device-service.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../support/protected-system.js';
import { stopProcess, tempDir } from '../support/waygate-process.js';

const browserMissing = inject('browserMissing');

describe.skipIf(browserMissing !== null)('host mode: sign in from the popup, then browse through the edge', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let system: ProtectedSystem;
  let service: DeviceService;
  let browser: DeviceBrowser;
  let deviceId: string;

  beforeAll(async () => {
    tmp = await tempDir('e2e-host');
    system = await startProtectedSystem({ dir: join(tmp.dir, 'system') });
    service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url });
    browser = await launchDeviceBrowser(tmp.dir, service.socket);
  });

  afterAll(async () => {
    await browser?.close();
    if (service) await stopProcess(service.proc);
    await system?.close();
    await tmp?.cleanup();
  });

  it('signs in through the device flow from the popup', async () => {
    const { popup, context } = browser;
    await waitForProtection(popup, 'signed-out');
    await popup.fill('[data-testid="portal-url"]', system.portal.url);
    await popup.click('[data-testid="sign-in"]');
    await popup.waitForSelector('[data-testid="login-user-code"]');
    await approveInOpenedTab(context, { email: 'user@example.test', password: system.portal.user.password });
    await waitForProtection(popup, 'protected');
    await expect.poll(() => popup.getByTestId('fact-user').textContent()).toContain('user@example.test');
    deviceId = (await system.portal.ctx.store.listDevices(system.portal.ctx.org.id)).find((d) => d.userId === system.portal.user.user.id)!.id;
    await screenshot(popup, 'popup-protected');
  });

  it('fetches http://origin.test/ through the edge, with no auth prompt, and the edge names device and user', async () => {
    const page = await browse(browser.context, `http://origin.test:${system.originPort}/hello`);
    expect(page).toMatchObject({ status: 200, text: expect.stringContaining(ORIGIN_BODY) });
    expect(system.originSeen).toContain(`origin.test:${system.originPort}/hello`);
    await expect
      .poll(async () => (await system.edge.accessLog()).find((entry) => entry.host === 'origin.test' && entry.status === 200), { timeout: 5_000 })
      .toMatchObject({ device: deviceId, user: 'user@example.test', action: 'allow' });
  });

  it('shows the edge’s block page for a blocked domain', async () => {
    const page = await browse(browser.context, `http://blocked.test:${system.originPort}/`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('no-blocked-test');
    expect(page.text).toContain('Blocked for the test');
  });

  it('explains this page: the PAC’s answer and the edge it names', async () => {
    const { popup } = browser;
    await popup.fill('[data-testid="explain-url"]', `http://origin.test:${system.originPort}/`);
    await popup.click('[data-testid="explain-button"]');
    await expect.poll(() => popup.getByTestId('explain-route').textContent()).toContain('test-edge');
    await screenshot(popup, 'popup-explain');
  });

  it('keeps browsing when the portal goes away, and after the service restarts without it', async () => {
    await system.stopPortal();
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/portal-down`)).toMatchObject({ status: 200 });

    await stopProcess(service.proc);
    service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url });
    await waitForProtection(browser.popup, 'protected');
    expect(await browse(browser.context, `http://origin.test:${system.originPort}/after-restart`)).toMatchObject({ status: 200, text: expect.stringContaining(ORIGIN_BODY) });
    expect(system.originSeen).toContain(`origin.test:${system.originPort}/after-restart`);
  });
});
