import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchWithExtension, openPopup, screenshot, toolbarBadge, waitForLink, type ExtensionBrowser } from '../support/browser.js';
import { tempDir } from '../support/waygate-process.js';
import { TUNNEL_UP } from '../unit/extension/status-fixture.js';
import type { browser as extensionApi } from 'wxt/browser';
import type { Page } from 'playwright-core';

// Functions passed to `worker.evaluate()` run in the extension's service worker, where `chrome` exists.
declare const chrome: typeof extensionApi;

const browserMissing = inject('browserMissing');

const ACCOUNT = {
  portalUrl: 'https://portal.example.test',
  deviceId: 'dev_1',
  deviceName: 'Laptop',
  user: { id: 'usr_1', email: 'uma@example.test', name: 'Uma User' },
  org: { id: 'org_1', name: 'Example Org' },
  enrolledAt: '2024-01-01T00:00:00.000Z',
};

describe.skipIf(browserMissing !== null)('popup when no native host is registered, in headless Chromium', () => {
  let cleanup: () => Promise<void>;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    const tmp = await tempDir('e2e-no-host');
    cleanup = tmp.cleanup;
    browser = await launchWithExtension(join(tmp.dir, 'profile'));
  });

  afterAll(async () => {
    await browser?.close();
    await cleanup();
  });

  it('says the app is not installed and what to do', async () => {
    const popup = await openPopup(browser.context);
    await waitForLink(popup, 'not-installed');
    const text = await popup.locator('main').textContent();
    expect(text).toContain('waygate install');
    expect(await popup.getByTestId('reason').textContent()).toContain('Specified native messaging host not found.');
    expect((await toolbarBadge(browser.worker)).text).toBe('!');
    await screenshot(popup, 'popup-not-installed');
  });

  /** Stores a status snapshot as the side in charge would, until the popup shows `selector`: the worker may still be storing its own as it starts. */
  async function storeSnapshot(popup: Page, snapshot: unknown, selector: string): Promise<void> {
    await expect
      .poll(async () => {
        await browser.worker.evaluate((value) => chrome.storage.local.set({ browserOnlySnapshot: value }), snapshot);
        return popup.locator(selector).count();
      })
      .toBe(1);
  }

  it('renders a captive-portal pause, the network checks and an unhealthy edge from the stored snapshot', async () => {
    const popup = await openPopup(browser.context);
    await waitForLink(popup, 'not-installed');
    // The popup renders whatever the side in charge stored; browser-only mode itself never pauses,
    // so the test stores a snapshot as the app would report it.
    const snapshot = {
      account: ACCOUNT,
      login: null,
      config: { policyVersion: 4, source: 'portal', syncedAt: '2024-01-01T00:00:00.000Z', lastError: null, nextSyncAt: null },
      protection: { state: 'paused', reason: 'Captive portal: forwarding is paused so you can sign in to this network.', disabledUntil: null, passwords: { logout: false, disable: false } },
      network: {
        type: 'off-trusted',
        evidence: [],
        checks: [
          { criterion: 'dnsServers', met: false, detail: 'DNS servers 192.168.1.1 do not include 10.0.0.53' },
          { criterion: 'beacon', met: false, detail: 'beacon.corp.example did not answer' },
        ],
        changedAt: '2030-01-01T12:00:00.000Z',
      },
      edge: { id: 'eu-1', region: 'Frankfurt', proxyUrl: 'https://edge.example.test:8443', latencyMs: null, secondaryId: null, health: 'unreachable', reason: 'no edge has answered its probe yet' },
      captivePortal: { state: 'detected', loginUrl: 'http://127.0.0.1:9/portal-login', resumesAt: '2030-01-01T12:05:00.000Z', detail: '' },
      reasons: [],
    };
    await storeSnapshot(popup, snapshot, '[data-testid="protection-state"][data-state="paused"]');
    expect(await popup.getByTestId('captive-resumes').textContent()).toMatch(/^Captive portal — sign in; protection resumes at \d{1,2}:05/);
    expect(await popup.getByTestId('edge-health').textContent()).toBe('Unreachable');
    expect(await popup.getByTestId('fact-network').textContent()).toBe('Outside the trusted network');
    expect(await popup.getByTestId('network-checks').locator('li').count()).toBe(2);
    await popup.getByTestId('network-checks').locator('summary').click();
    expect(await popup.getByTestId('network-checks').textContent()).toContain('beacon.corp.example did not answer');
    await expect.poll(async () => (await toolbarBadge(browser.worker)).text).toBe('||');
    await screenshot(popup, 'popup-captive-portal');
    await popup.getByTestId('captive-open').click();
    // Nothing listens on port 9: the tab shows an error page, but it was asked for the portal.
    const tabUrls = () => browser.worker.evaluate(async () => (await chrome.tabs.query({})).map((tab) => tab.pendingUrl ?? tab.url ?? ''));
    await expect.poll(async () => (await tabUrls()).some((url) => url.includes('127.0.0.1:9/portal-login'))).toBe(true);
  });

  it('renders a full-device tunnel that is up from the stored snapshot: address, edge, traffic, DNS and IPv6', async () => {
    const popup = await openPopup(browser.context);
    await waitForLink(popup, 'not-installed');
    // Only the app's service runs a tunnel; the snapshot is stored as it would report one.
    const snapshot = {
      account: ACCOUNT,
      login: null,
      config: { policyVersion: 4, source: 'portal', syncedAt: '2024-01-01T00:00:00.000Z', lastError: null, nextSyncAt: null },
      protection: { state: 'protected', reason: 'Protected: all traffic goes through the tunnel to edge eu-1.', disabledUntil: null, passwords: { logout: false, disable: false } },
      network: { type: 'off-trusted', evidence: [], checks: [], changedAt: null },
      edge: { id: 'eu-1', region: 'Frankfurt', proxyUrl: 'https://edge.example.test:8443', latencyMs: 23, secondaryId: null, health: 'ok', reason: '' },
      tunnel: { ...TUNNEL_UP, packetsDropped: 12 },
      captivePortal: { state: 'none', loginUrl: null, resumesAt: null, detail: '' },
      reasons: [],
    };
    await storeSnapshot(popup, snapshot, '[data-testid="tunnel-state"][data-state="up"]');
    expect(await popup.getByTestId('tunnel-state').textContent()).toBe('Tunnel up');
    expect(await popup.getByTestId('tunnel-reason').textContent()).toBe('Tunnel up through eu-1.');
    expect(await popup.getByTestId('tunnel-interface').textContent()).toBe('waygate0');
    expect(await popup.getByTestId('tunnel-address').textContent()).toBe('100.64.0.2/16');
    expect(await popup.getByTestId('tunnel-edge').textContent()).toBe('eu-1 (Frankfurt)');
    expect(await popup.getByTestId('tunnel-traffic').textContent()).toBe('1.5 MB sent, 20 MB received');
    expect(await popup.getByTestId('tunnel-dropped').textContent()).toBe('12');
    expect(await popup.getByTestId('tunnel-dropped-note').textContent()).toContain('Dropped rather than sent outside the tunnel');
    expect(await popup.getByTestId('tunnel-dns').textContent()).toBe('10.0.0.53, 10.0.0.54');
    expect(await popup.getByTestId('tunnel-ipv6').textContent()).toBe('Blocked while the tunnel is up');
    await screenshot(popup, 'popup-tunnel');
  });
});
