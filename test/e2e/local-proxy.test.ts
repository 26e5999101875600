/**
 * Local proxy mode in a real browser: headless Chromium with the extension and the native host, a
 * real service, portal and edge, and the profile's action `local-proxy`. The browser's PAC names
 * only the service's proxy on 127.0.0.1, which forwards to the edge with the device's token: pages
 * over HTTP and HTTPS load with no proxy authentication anywhere, and the edge's log names the device.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { browse, launchDeviceBrowser, waitForProtection, type DeviceBrowser } from '../support/device-browser.js';
import { readStatus, loginWithApproval, startDeviceService, type DeviceService } from '../support/device-service.js';
import { ORIGIN_BODY, startProtectedSystem, type ProtectedSystem } from '../support/protected-system.js';
import { startTlsOrigin, type TlsOrigin } from '../support/tls-origin.js';
import { stopProcess, tempDir } from '../support/waygate-process.js';
import type { browser as extensionApi } from 'wxt/browser';

// Functions passed to `worker.evaluate()` run in the extension's service worker, where `chrome` exists.
declare const chrome: typeof extensionApi;

const browserMissing = inject('browserMissing');

describe.skipIf(browserMissing !== null)('local proxy mode: the browser goes through the service’s proxy to the edge', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let system: ProtectedSystem;
  let service: DeviceService;
  let browser: DeviceBrowser;
  let tls: TlsOrigin;
  let tlsPort: number;
  let deviceId: string;

  beforeAll(async () => {
    tmp = await tempDir('e2e-local-proxy');
    tls = await startTlsOrigin(tmp.dir, '<h1>hello over https</h1>');
    tlsPort = tls.port;

    system = await startProtectedSystem({ dir: join(tmp.dir, 'system') });
    await system.updatePolicy((doc) => ({
      ...doc,
      forwardingProfiles: doc.forwardingProfiles.map((profile) => ({ ...profile, actions: { ...profile.actions, 'off-trusted': { internet: 'local-proxy', privateAccess: 'none' } } })),
      access: { ...doc.access, rules: [...doc.access.rules, { id: 'tls-origin', action: 'allow', users: [], groups: [], domains: [], cidrs: ['127.0.0.1/32'], ports: [{ from: tlsPort, to: tlsPort }] }] },
    }));
    service = await startDeviceService({ dir: join(tmp.dir, 'device'), portalUrl: system.portal.url });
    const login = await loginWithApproval(service, system.portal.url, { email: 'user@example.test', password: system.portal.user.password });
    expect(login.code, login.stderr).toBe(0);
    await vi.waitFor(async () => expect((await readStatus(service)).protection.state).toBe('protected'), { timeout: 10_000 });
    deviceId = (await readStatus(service)).account?.deviceId ?? '';

    // The browser trusts the test origin's key only (not every certificate).
    browser = await launchDeviceBrowser(tmp.dir, service.socket, { extraArgs: [`--ignore-certificate-errors-spki-list=${tls.spki}`] });
    await waitForProtection(browser.popup, 'protected');
  });

  afterAll(async () => {
    await browser?.close();
    if (service) await stopProcess(service.proc);
    await system?.close();
    tls?.close();
    await tmp?.cleanup();
  });

  it('loads http://origin.test/ through the local proxy and the edge, never asked to authenticate', async () => {
    const page = await browse(browser.context, `http://origin.test:${system.originPort}/local-proxy`);
    expect(page).toMatchObject({ status: 200, text: expect.stringContaining(ORIGIN_BODY) });
    await expect
      .poll(async () => (await system.edge.accessLog()).find((entry) => entry.host === 'origin.test' && entry.method === 'GET'), { timeout: 5_000 })
      .toMatchObject({ device: deviceId, user: 'user@example.test', status: 200 });
    // The edge never had to challenge anyone: the local proxy sent the token with every request.
    expect((await system.edge.accessLog()).filter((entry) => entry.status === 407)).toEqual([]);
  });

  it('gives the browser a PAC that names only the local proxy', async () => {
    const value = await browser.worker.evaluate(async () => JSON.stringify((await chrome.proxy.settings.get({})).value));
    expect(value).toMatch(/PROXY 127\.0\.0\.1:\d+/);
    expect(value).not.toContain(system.edge.proxyUrl.replace('http://', ''));
  });

  it('loads an HTTPS origin through a CONNECT tunnel the edge logs for the device', async () => {
    const secure = await browse(browser.context, `https://origin.test:${tlsPort}/local-proxy`);
    expect(secure).toMatchObject({ status: 200, text: expect.stringContaining('hello over https') });
    // The edge logs a tunnel when it closes; closing the browser closes it.
    await browser.close();
    await expect
      .poll(async () => (await system.edge.accessLog()).find((entry) => entry.method === 'CONNECT' && entry.host === 'origin.test'), { timeout: 10_000 })
      .toMatchObject({ device: deviceId, user: 'user@example.test', host: 'origin.test' });
  });
});
